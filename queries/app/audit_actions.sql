-- The actions the audit log holds, one row each, by name.
select distinct action from audit_log
order by action;
