"""What is taught and wanted: taxonomy, roles, courses, terms, learners, curricula, seeding."""
