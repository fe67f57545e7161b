import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import workflow
from assessments.attachments import AttachmentRejected, attachment_check, sanitise_filename
from assessments.models import Attachment, AuditEvent
from ukcn.refusals import Refusal

from .request_factories import make_request

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
EXE = b"MZ\x90\x00" + b"\x00" * 60


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\Agreement v2.pdf", "Agreement v2.pdf"),
        ("协议 final.pdf", "协议 final.pdf"),
        ("evil<script>.pdf", "evil_script_.pdf"),
        ("bad\x00name\r\n.pdf", "badname.pdf"),
        (".hidden", "hidden"),
        ("", "attachment"),
    ],
)
def test_filenames_are_sanitised(given, safe):
    assert sanitise_filename(given) == safe


def test_long_filenames_keep_their_extension():
    assert sanitise_filename("a" * 300 + ".pdf").endswith("a.pdf")
    assert len(sanitise_filename("a" * 300 + ".pdf")) == 120


def test_a_pdf_within_the_limit_is_accepted():
    assert attachment_check(name="mou.PDF", size=len(PDF), head=PDF) == (
        "mou.PDF",
        "application/pdf",
    )


def test_a_file_over_the_size_limit_is_rejected(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(AttachmentRejected, match="limit is 1,024 bytes"):
        attachment_check(name="big.pdf", size=1025, head=PDF)


def test_a_disallowed_extension_is_rejected():
    with pytest.raises(AttachmentRejected, match=r"'\.exe' are not accepted"):
        attachment_check(name="setup.exe", size=len(EXE), head=EXE)


def test_a_program_renamed_to_pdf_is_caught_by_its_content():
    with pytest.raises(AttachmentRejected, match=r"does not look like a \.pdf"):
        attachment_check(name="agreement.pdf", size=len(EXE), head=EXE)


def test_a_png_renamed_to_docx_is_caught_by_its_content():
    with pytest.raises(AttachmentRejected, match=r"\.docx"):
        attachment_check(name="statement.docx", size=len(PNG), head=PNG)


def test_binary_content_in_a_text_file_is_rejected():
    with pytest.raises(AttachmentRejected, match="not plain text"):
        attachment_check(name="notes.txt", size=len(EXE), head=EXE)


def test_utf8_text_cut_mid_character_is_still_text():
    head = "合作意向书".encode()[:-1]
    assert attachment_check(name="notes.txt", size=100, head=head)[1] == "text/plain"


def test_an_extension_removed_from_the_settings_is_refused(settings):
    settings.ATTACHMENT_ALLOWED_EXTENSIONS = ["pdf"]
    with pytest.raises(AttachmentRejected, match=r"allowed: \.pdf"):
        attachment_check(name="photo.png", size=len(PNG), head=PNG)


def test_attachment_add_stores_the_file_under_a_random_name_and_audits_it(requester):
    pr = make_request(requester)
    upload = SimpleUploadedFile("../Statement of intent.pdf", PDF, content_type="text/html")
    attachment = workflow.attachment_add(
        actor=requester, request=pr, uploaded_file=upload, kind="statement_of_intent"
    )
    assert attachment.original_name == "Statement of intent.pdf"
    # The content type is ours, from the sniffed type, never the browser's claim.
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert "Statement" not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action="attachment.added")
    assert event.changes["sha256"][1] == attachment.sha256


def test_attachment_add_refuses_a_mislabelled_file_and_stores_nothing(requester, tmp_path):
    pr = make_request(requester)
    with pytest.raises(Refusal, match="does not look like"):
        workflow.attachment_add(
            actor=requester, request=pr, uploaded_file=SimpleUploadedFile("x.pdf", EXE)
        )
    assert not Attachment.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_attachment_add_is_refused_to_another_department_and_to_auditors(
    requester, other_requester, auditor, tmp_path
):
    pr = make_request(requester)
    for actor in (other_requester, auditor):
        with pytest.raises(Refusal, match="may not add attachments"):
            workflow.attachment_add(
                actor=actor, request=pr, uploaded_file=SimpleUploadedFile("x.pdf", PDF)
            )
    assert not Attachment.objects.exists()
    assert not any(tmp_path.rglob("*.pdf"))


def test_opening_an_attachment_records_the_download(requester, reviewer):
    pr = make_request(requester)
    attachment = workflow.attachment_add(
        actor=requester, request=pr, uploaded_file=SimpleUploadedFile("mou.pdf", PDF)
    )
    with workflow.attachment_open(actor=reviewer, attachment=attachment, ip="192.0.2.5") as f:
        assert f.read() == PDF
    event = AuditEvent.objects.get(action="attachment.downloaded")
    assert event.actor == reviewer
    assert event.ip_address == "192.0.2.5"
