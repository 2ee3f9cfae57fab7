-- One database (and one owner) per service: a service never reads another's data.
-- Runs once, on the first start of an empty PostgreSQL volume.
CREATE ROLE survey LOGIN PASSWORD 'survey';
CREATE DATABASE survey OWNER survey;
CREATE ROLE construction LOGIN PASSWORD 'construction';
CREATE DATABASE construction OWNER construction;
CREATE ROLE finance LOGIN PASSWORD 'finance';
CREATE DATABASE finance OWNER finance;
CREATE ROLE reporting LOGIN PASSWORD 'reporting';
CREATE DATABASE reporting OWNER reporting;
CREATE ROLE welfare LOGIN PASSWORD 'welfare';
CREATE DATABASE welfare OWNER welfare;
