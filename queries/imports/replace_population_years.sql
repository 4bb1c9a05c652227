-- Population estimates: the incoming rows replace every earlier row of the years they cover.
-- incoming: a registered frame with the population_estimates columns.
delete from population_estimates
where year in (select distinct year from incoming);

insert into population_estimates by name
select * from incoming;  -- noqa: AM04
