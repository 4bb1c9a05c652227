-- Month ends for which the store has coverage figures, latest first.
-- Grain: one row per month.
select month_end
from coverage_months
order by month_end desc;
