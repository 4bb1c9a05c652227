-- reads: age_bands, coverage_months, eligibility_rules, occupations, services
-- writes: nothing (a SELECT)
-- What the cubes depend on besides persons, registrations and uptake: the months they span
-- and the reference tables that give bits, bands and rules. An incremental refresh is
-- allowed only while this fingerprint is the one the cubes were built with. (A new source
-- registry changes no one's rows but the persons registered in it, who are touched.)
select md5(concat_ws(
    '|',
    (select string_agg(month_idx::varchar, ',' order by month_idx) from coverage_months),
    (
        select string_agg(concat_ws(':', service_code, service_bit), ',' order by service_code)
        from services
    ),
    (
        select string_agg(concat_ws(':', age_band, min_age, max_age), ',' order by age_band)
        from age_bands
    ),
    (
        select string_agg(concat_ws(':', occupation, is_informal), ',' order by occupation)
        from occupations
    ),
    (
        select
            string_agg(
                concat_ws(':', service_code, criterion, value), ','
                order by service_code, criterion, value
            )
        from eligibility_rules
    )
)) as fingerprint;
