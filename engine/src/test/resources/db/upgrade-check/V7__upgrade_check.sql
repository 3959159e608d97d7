-- FreshSchemaTest only: a migration after the bundled ones, as the next build's would be.
CREATE TABLE upgrade_check (id INT PRIMARY KEY);
