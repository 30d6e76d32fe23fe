"""Re-encrypt household ID numbers under the newest SUYUAN_ID_NUMBER_KEYS key."""

from django.core.management.base import BaseCommand

from trace.services.households import household_id_numbers_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every household's ID number under the first (newest) key of "
        "SUYUAN_ID_NUMBER_KEYS. Put the new key first, run this, then remove "
        "the old key. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        counts = household_id_numbers_reencrypt(batch_size=batch_size)
        self.stdout.write(
            f"checked {counts['checked']} household(s), "
            f"re-encrypted {counts['reencrypted']}"
        )
