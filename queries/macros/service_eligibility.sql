-- reads: eligibility_rules
-- defines: service_eligibility(keys), a table macro of the connection only (temp: nothing
--   is written to the store; store/macros.py runs this file on the cursor that calls it)
-- The one place where the catalogue's eligibility rules are applied. The coverage cube's
-- eligible_mask (aggregates/coverage_cube_part) and the agencies' outreach files
-- (export/agency_outreach) both call it, so an agency is told a person appears eligible
-- for a programme exactly when the targeting and needs figures count the person so.
-- A person is eligible for a service when every criterion listed for it holds; several
-- rows of one criterion are alternatives (queries/schema/store.sql, eligibility_rules).
-- Argument: the name of a table, view or CTE of keys with the columns poverty_level
--   (varchar), disability (boolean), sex (varchar), birth_year (integer) and year (integer:
--   the year of the month end on which age is reckoned, age = year - birth_year).
-- Grain of the result: one row per key x service with a rule: the key's columns,
--   service_code and eligible (boolean, never null).
create or replace temp macro service_eligibility(keys) as table
    with
    rule_checks as (
        -- one row per key x service x criterion: does any listed value of the criterion hold?
        select
            k.poverty_level,
            k.disability,
            k.sex,
            k.birth_year,
            k.year,
            r.service_code,
            r.criterion,
            bool_or(
                case r.criterion
                    when 'poverty_level' then k.poverty_level = r.value
                    when 'disability' then coalesce(k.disability, false) = (r.value = 'true')
                    when 'sex' then k.sex = r.value
                    when 'min_age' then k.year - k.birth_year >= try_cast(r.value as integer)
                    when 'max_age' then k.year - k.birth_year <= try_cast(r.value as integer)
                    else false
                end
            ) as passes
        from query_table(keys) as k
        cross join eligibility_rules as r
        group by all
    )

    select
        poverty_level,
        disability,
        sex,
        birth_year,
        year,
        service_code,
        bool_and(coalesce(passes, false)) as eligible
    from rule_checks
    group by all;
