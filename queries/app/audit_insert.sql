-- Record one audited action. :user_name text, :action text, :detail text (JSON)
insert into audit_log (user_name, action, detail) values (:user_name, :action, :detail);
