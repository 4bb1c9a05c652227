-- Migration of an app database made before scopes: the provinces an account is limited to.
alter table accounts add column provinces text;
