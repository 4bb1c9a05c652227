-- Remove the target of a province and programme. :province_code text, :service_code text
delete from targets
where province_code = :province_code and service_code = :service_code;
