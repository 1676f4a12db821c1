"""The office that runs the building: the site in the database, people, devices, audit."""
