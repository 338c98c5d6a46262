"""The OAI-PMH provider in process: every verb valid against the bundled schemas, formats, sets, windows,
persistent deletions, resumption by position, and every bad request answered with its protocol error code."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from content_repo.api.models import Change
from content_repo.exchange.models import OaiRecord
from content_repo.exchange.oai import tokens
from content_repo.exchange.oai.sync import follow_feed
from content_repo.resources.models import Resource
from content_repo.resources.services import withdraw
from tests.exchange.catalog import publish
from tests.exchange.conftest import NS, check_valid, error_code, texts

pytestmark = pytest.mark.django_db


def identifiers(root) -> list[str]:
    return texts(root, ".//oai:header/oai:identifier")


def oai_id(resource_id) -> str:
    return f"oai:127.0.0.1:{resource_id}"


def test_identify_describes_the_repository(oai):
    root = oai(verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai/"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == "catalog@127.0.0.1"
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}


def test_identify_describes_identifiers_of_a_named_repository(oai, settings):
    settings.EXCHANGE = {"OAI_REPOSITORY_ID": "catalog.edu.example"}
    [resource_id] = publish([1])
    root = oai(verb="Identify")
    assert texts(root, ".//{http://www.openarchives.org/OAI/2.0/oai-identifier}repositoryIdentifier") == [
        "catalog.edu.example"
    ]
    assert identifiers(oai(verb="ListIdentifiers", metadataPrefix="oai_dc")) == [
        f"oai:catalog.edu.example:{resource_id}"
    ]


def test_metadata_formats_are_oai_dc_and_lom(oai):
    [resource_id] = publish([1])
    for arguments in ({}, {"identifier": oai_id(resource_id)}):
        root = oai(verb="ListMetadataFormats", **arguments)
        assert texts(root, ".//oai:metadataPrefix") == ["oai_dc", "lom"]
        assert texts(root, ".//oai:metadataNamespace") == [
            "http://www.openarchives.org/OAI/2.0/oai_dc/",
            "http://ltsc.ieee.org/xsd/LOM",
        ]


def test_sets_are_named_in_russian(oai):
    publish([0])
    root = oai(verb="ListSets")
    names = dict(zip(texts(root, ".//oai:setSpec"), texts(root, ".//oai:setName"), strict=True))
    assert names["subject"] == "Предмет"
    assert names["subject:math"] == "Предмет: Математика"
    assert names["grade:5"] == "5 класс"
    assert names["level:OOO"] == "Уровень: Основное общее образование"
    assert names["provider:resh"].startswith("Поставщик: Российская электронная школа")
    assert names["source:resh"] == "Источник: resh"


def test_lom_record_carries_subject_grade_alignment_and_licence(oai):
    [resource_id] = publish([0])  # math, grade 5, topic math.5.3, cc-by-sa-4.0
    root = oai(verb="GetRecord", identifier=oai_id(resource_id), metadataPrefix="lom")
    lom = root.find(".//lom:lom", NS)
    assert lom.findtext("lom:general/lom:title/lom:string", namespaces=NS) == "Урок 0: math, 5 класс"
    assert lom.findtext("lom:technical/lom:location", namespaces=NS) == "https://resh.edu.ru/subject/lesson/7000/"
    assert lom.findtext("lom:educational/lom:typicalLearningTime/lom:duration", namespaces=NS) == "PT40M"
    purposes = {
        c.findtext("lom:purpose/lom:value", namespaces=NS): [t.text for t in c.iterfind(".//lom:taxon/lom:id", NS)]
        for c in lom.iterfind("lom:classification", NS)
    }
    assert purposes == {
        "discipline": ["http://127.0.0.1:8000/api/v1/curriculum/subjects/math"],
        "educational level": ["5"],
        "educational objective": ["http://127.0.0.1:8000/api/v1/curriculum/topics/math.5.3"],
    }
    rights = lom.findtext("lom:rights/lom:description/lom:string", namespaces=NS)
    assert rights.startswith("https://creativecommons.org/licenses/by-sa/4.0/ CC BY-SA 4.0")
    assert rights.endswith("Условия доступа: Регистрация")


def test_oai_dc_record_names_subject_grade_and_topic(oai):
    [resource_id] = publish([0])
    root = oai(verb="GetRecord", identifier=oai_id(resource_id), metadataPrefix="oai_dc")
    dc = root.find(".//oai_dc:dc", NS)
    assert texts(dc, "dc:title") == ["Урок 0: math, 5 класс"]
    assert texts(dc, "dc:subject") == ["Математика", "5 класс", "тема 0", "math"]
    assert texts(dc, "dc:identifier") == [
        "https://resh.edu.ru/subject/lesson/7000/",
        f"http://127.0.0.1:8000/api/v1/resources/{resource_id}",
    ]
    assert texts(dc, "dc:relation") == ["http://127.0.0.1:8000/api/v1/curriculum/topics/math.5.3"]
    assert texts(dc, "dc:rights") == ["https://creativecommons.org/licenses/by-sa/4.0/"]
    assert texts(dc, "dc:type") == ["Урок"]


def test_sets_select_their_records(oai):
    ids = publish(range(9))  # subjects cycle math, physics, russian
    math = {oai_id(ids[n]) for n in (0, 3, 6)}
    assert set(identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", set="subject:math"))) == math
    assert len(identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", set="grade:7"))) == 3
    assert len(identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", set="subject"))) == 9
    assert error_code(oai(verb="ListRecords", metadataPrefix="lom", set="subject:chemistry")) == "noRecordsMatch"


def walk(oai, verb: str = "ListIdentifiers", **arguments) -> tuple[list[str], list[dict]]:
    """Every identifier of a list, following the tokens; and the attributes of every token element."""
    found, token_attributes = [], []
    root = oai(verb=verb, **arguments)
    while True:
        found += identifiers(root)
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None:
            return found, token_attributes
        token_attributes.append(dict(token.attrib))
        if not token.text:
            return found, token_attributes
        root = oai(verb=verb, resumptionToken=token.text)


def test_a_list_is_resumed_by_position_with_size_and_cursor(oai, settings):
    settings.EXCHANGE = {"OAI_PAGE_SIZE": 2}
    ids = publish(range(7))
    found, pages = walk(oai, "ListRecords", metadataPrefix="lom")
    assert sorted(found) == sorted(oai_id(i) for i in ids)
    assert [(page["cursor"], page["completeListSize"]) for page in pages] == [
        ("0", "7"),
        ("2", "7"),
        ("4", "7"),
        ("6", "7"),
    ]
    assert all("expirationDate" in page for page in pages[:-1]) and "expirationDate" not in pages[-1]


def test_a_short_list_has_no_token(oai):
    publish(range(3))
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert len(identifiers(root)) == 3
    assert root.find(".//oai:resumptionToken", NS) is None


def test_a_record_changed_during_a_walk_moves_to_its_end_and_nothing_is_skipped(oai, settings):
    settings.EXCHANGE = {"OAI_PAGE_SIZE": 2}
    ids = publish(range(6))
    first = oai(verb="ListIdentifiers", metadataPrefix="lom")
    seen = identifiers(first)
    unseen = next(i for i in ids if oai_id(i) not in seen)
    publish([ids.index(unseen)], title="Изменённое название")  # the change feed moves it past everything else
    token = first.find(".//oai:resumptionToken", NS).text
    rest, _ = walk(oai, resumptionToken=token)
    assert sorted(seen + rest) == sorted(oai_id(i) for i in ids)
    assert rest[-1] == oai_id(unseen)


def test_withdrawn_and_deleted_resources_stay_as_deleted_headers(oai):
    ids = publish(range(4))
    follow_feed()
    withdraw(Resource.objects.get(pk=ids[0]), reason="устарел")
    Resource.objects.get(pk=ids[3]).delete()
    root = oai(verb="ListRecords", metadataPrefix="lom", set="subject:math")  # 0 and 3 are math
    deleted = root.findall(".//oai:header[@status='deleted']", NS)
    assert sorted(h.findtext("oai:identifier", namespaces=NS) for h in deleted) == sorted(
        [oai_id(ids[0]), oai_id(ids[3])]
    )
    assert root.findall(".//oai:metadata", NS) == []
    assert "subject:math" in texts(deleted[0], "oai:setSpec")
    single = oai(verb="GetRecord", identifier=oai_id(ids[3]), metadataPrefix="oai_dc")
    assert single.find(".//oai:header", NS).get("status") == "deleted"
    assert single.find(".//oai:metadata", NS) is None
    assert OaiRecord.objects.filter(deleted=True).count() == 2


def test_republished_resource_comes_back_live(oai):
    [resource_id] = publish([1])
    follow_feed()
    withdraw(Resource.objects.get(pk=resource_id), reason="на время")
    follow_feed()
    assert OaiRecord.objects.get(pk=resource_id).deleted is True
    publish([1], title="Снова опубликован")
    root = oai(verb="GetRecord", identifier=oai_id(resource_id), metadataPrefix="lom")
    assert root.find(".//oai:header", NS).get("status") is None
    assert root.findtext(".//lom:title/lom:string", namespaces=NS) == "Снова опубликован"


def test_from_and_until_select_by_datestamp(oai):
    early = publish(range(2))
    oai(verb="Identify")  # the provider takes the first batch in now
    time.sleep(1.1)
    late = publish(range(2, 5))
    root = oai(verb="ListIdentifiers", metadataPrefix="lom")
    stamps = dict(zip(identifiers(root), texts(root, ".//oai:datestamp"), strict=True))
    late_stamp = stamps[oai_id(late[0])]
    early_stamp = stamps[oai_id(early[0])]
    assert early_stamp < late_stamp
    assert sorted(identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", **{"from": late_stamp}))) == sorted(
        oai_id(i) for i in late
    )
    assert sorted(identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", until=early_stamp))) == sorted(
        oai_id(i) for i in early
    )
    today = timezone.now().strftime("%Y-%m-%d")
    assert len(identifiers(oai(verb="ListIdentifiers", metadataPrefix="lom", **{"from": today}))) == 5
    assert error_code(oai(verb="ListIdentifiers", metadataPrefix="lom", until="2000-01-01")) == "noRecordsMatch"
    assert error_code(oai(verb="ListIdentifiers", metadataPrefix="lom", **{"from": "2999-01-01"})) == "noRecordsMatch"


BAD_REQUESTS = [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "ListSets"]}, "badVerb"),
    ({"verb": "Identify", "metadataPrefix": "lom"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["lom", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "metadataPrefix": "lom dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "from": "2024-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "from": "2024-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "from": "2024-01-01T00:00:00"}, "badArgument"),
    (
        {"verb": "ListRecords", "metadataPrefix": "lom", "from": "2024-01-01", "until": "2024-02-01T00:00:00Z"},
        "badArgument",
    ),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "from": "2024-02-01", "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "set": "subject math"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "set": "subject:\x00"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "lom", "set": ""}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "lom"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere.org:1", "metadataPrefix": "lom"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": f"oai:127.0.0.1:{uuid.uuid4()}", "metadataPrefix": "lom"}, "idDoesNotExist"),
    (
        {
            "verb": "GetRecord",
            "identifier": "oai:127.0.0.1:{00000000-0000-0000-0000-000000000000}",
            "metadataPrefix": "lom",
        },
        "idDoesNotExist",
    ),
    ({"verb": "GetRecord", "identifier": "oai:127.0.0.1:x"}, "badArgument"),
    ({"verb": "ListMetadataFormats", "identifier": "urn:isbn:0451450523"}, "idDoesNotExist"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "lom", "until": "9999-12-31"}, None),
    ({"verb": "ListIdentifiers", "metadataPrefix": "lom", "from": "0001-01-01T00:00:00Z"}, None),
]


@pytest.mark.parametrize(("arguments", "code"), BAD_REQUESTS)
def test_every_bad_request_is_a_protocol_error_code(oai, arguments, code):
    publish([0])
    root = oai(**arguments)
    assert error_code(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find("oai:request", NS).attrib == {}  # such requests are not echoed
    if code is not None:
        assert root.find("oai:error", NS).text


def test_post_is_answered_like_get(db, oai_schema):
    publish(range(2))
    response = Client().post("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    assert len(identifiers(check_valid(oai_schema, response.content))) == 2
    assert Client().put("/oai/").status_code == 405


def first_token(oai, verb: str = "ListRecords") -> str:
    return oai(verb=verb, metadataPrefix="lom").find(f".//oai:{verb}/oai:resumptionToken", NS).text


def test_a_token_of_one_verb_does_not_resume_another(oai, settings):
    settings.EXCHANGE = {"OAI_PAGE_SIZE": 1}
    publish(range(2))
    root = oai(verb="ListIdentifiers", resumptionToken=first_token(oai, "ListRecords"))
    assert error_code(root) == "badResumptionToken"
    assert "ListRecords" in root.findtext("oai:error", namespaces=NS)


def test_an_expired_token_is_bad(oai, settings):
    settings.EXCHANGE = {"OAI_PAGE_SIZE": 1, "OAI_TOKEN_TTL": 60}
    publish(range(2))
    state = tokens.read_token(first_token(oai), "ListRecords", 60)

    class IssuedTwoMinutesAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 120)

    payload = {"v": 1, **state.__dict__}
    old = IssuedTwoMinutesAgo(salt="content_repo.exchange.oai.resumption").sign_object(payload, compress=True)
    root = oai(verb="ListRecords", resumptionToken=old)
    assert error_code(root) == "badResumptionToken"
    assert "срок действия" in root.findtext("oai:error", namespaces=NS)


def test_a_token_signed_with_another_key_is_bad(oai, settings):
    settings.EXCHANGE = {"OAI_PAGE_SIZE": 1}
    publish(range(2))
    token = first_token(oai)
    settings.SECRET_KEY = "another-instance-another-key"
    assert error_code(oai(verb="ListRecords", resumptionToken=token)) == "badResumptionToken"


def test_a_token_that_was_altered_is_bad(oai, settings):
    settings.EXCHANGE = {"OAI_PAGE_SIZE": 1}
    publish(range(2))
    token = first_token(oai)
    altered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert error_code(oai(verb="ListRecords", resumptionToken=altered)) == "badResumptionToken"


def test_control_characters_in_a_title_do_not_break_the_xml(oai):
    [resource_id] = publish([1], title="Дроби\x0b и \x1fпроценты")
    root = oai(verb="GetRecord", identifier=oai_id(resource_id), metadataPrefix="oai_dc")
    assert texts(root, ".//dc:title") == ["Дроби и проценты"]


def test_a_live_entry_without_a_public_document_lists_nothing(oai):
    [resource_id] = publish([1])
    follow_feed()
    Change.objects.create(resource_id=resource_id, action=Change.Action.UPDATED, document=None)
    root = oai(verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert root.find(".//oai:header", NS).get("status") == "deleted"
    Change.objects.create(resource_id=uuid.uuid4(), action=Change.Action.PUBLISHED, document=None)
    follow_feed()
    assert OaiRecord.objects.count() == 1
