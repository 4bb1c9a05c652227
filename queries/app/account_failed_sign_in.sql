-- Count a failed sign-in; the :max_failures-th in a row locks the account until :lock_until.
-- A lock that has run out (locked_until <= :now) starts the count again at one.
-- :name text, :now text (ISO UTC), :max_failures integer, :lock_until text (ISO UTC)
update accounts
set
    failed_count = case when locked_until <= :now then 1 else failed_count + 1 end,
    locked_until = case
        when locked_until <= :now then null
        when failed_count + 1 >= :max_failures then :lock_until
        else locked_until
    end
where name = :name
returning failed_count, locked_until;
