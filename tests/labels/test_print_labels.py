import pytest
from django.core.management import CommandError, call_command

from labels.models import PrintJob


def test_print_labels_writes_the_pdf_with_a_progress_bar(world, tmp_path, capsys):
    output = tmp_path / "out.pdf"
    call_command(
        "print_labels",
        str(world.batch_a.pk),
        "--count",
        "30",
        "--template",
        "a4-3x7",
        "--start",
        "3",
        "-o",
        str(output),
    )
    captured = capsys.readouterr()
    assert output.read_bytes().startswith(b"%PDF")
    assert "100%" in captured.err and "30/30" in captured.err
    job = PrintJob.objects.get()
    assert (
        job.requested_by == world.admin
        and job.labels.count() == 30
        and job.start_position == 3
    )


def test_print_labels_as_a_named_user(world, tmp_path):
    call_command(
        "print_labels",
        str(world.batch_a.pk),
        "--count",
        "2",
        "--user",
        "operator_a",
        "--link-form",
        "compressed",
        "-o",
        str(tmp_path / "a.pdf"),
    )
    job = PrintJob.objects.get()
    assert job.requested_by == world.operator_a and job.link_form == "compressed"


def test_print_labels_reports_domain_errors(world, tmp_path, settings):
    settings.SUYUAN_MAX_LABELS_PER_JOB = 10
    with pytest.raises(CommandError, match="1 到 10"):
        call_command(
            "print_labels",
            str(world.batch_a.pk),
            "--count",
            "11",
            "-o",
            str(tmp_path / "a.pdf"),
        )
    with pytest.raises(CommandError):
        call_command(
            "print_labels", "999999", "--count", "1", "-o", str(tmp_path / "a.pdf")
        )
    with pytest.raises(CommandError):
        call_command(
            "print_labels",
            str(world.batch_a.pk),
            "--count",
            "1",
            "--user",
            "operator_b",
            "-o",
            str(tmp_path / "a.pdf"),
        )
