"""The poverty-alleviation office's admin for the trace registers.

Every write goes through trace.services, so the admin obeys the same rules
as the API: a form is validated by running its service in a savepoint that
is rolled back (errors land next to their fields), and saved by running the
service for real. Household ID numbers are write-only here: screens show
the masked name and the last four characters only.

One module per topic; importing them registers their ModelAdmins, which is
what admin autodiscovery (importing trace.admin) needs.
"""

from trace.admin import (  # noqa: F401  (each module registers its ModelAdmins)
    batches,
    catalogue,
    certification,
    events,
    households,
    licences,
    registry,
)
