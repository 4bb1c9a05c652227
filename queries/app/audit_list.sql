-- The audit log, newest first: one row per recorded action.
-- :action text (null: every action), :row_limit integer
select
    id,
    at,
    user_name,
    action,
    detail
from audit_log
where :action is null or action = :action
order by id desc
limit :row_limit;
