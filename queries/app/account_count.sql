-- How many accounts exist, and how many can sign in with a password.
select
    count(*) as account_count,
    count(password_hash) as password_count
from accounts;
