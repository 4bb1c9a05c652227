-- Migration of an app database made before scopes: the agency an account is limited to.
alter table accounts add column agency text;
