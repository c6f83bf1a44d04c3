"""What is taught and wanted.

One module per catalog kind (areas, skills, roles, courses, calendars, learners) with its
choices, form data, save and delete; `search` lists any kind a page at a time, `entries`
is the one entry point per kind for the pages and the API, `edits` holds what every edit
shares. Seed files: taxonomy (skills, roles), curricula (curriculum files), seeding (load
them into the database), team_import (learners from a spreadsheet).
"""
