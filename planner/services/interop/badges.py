"""Open Badges 3.0: a learner's achieved skill levels as OpenBadgeCredentials, and badges
imported back as assessment evidence (source "badge", see planner/services/assessment/calibration.py).

Export: one credential per skill the learner has *evidence* for (a self-rating alone never
makes a badge): the calibrated evidence level, or the final levels of a plan whose courses
the learner has all completed. The achievement aligns to the taxonomy's CASE identifiers
(case.py): an `alignment` with targetType "CFItem" (the skill) and one with targetType
"CFRubricCriterionLevel" (the skill's level). Credentials are unsigned JSON unless an
Ed25519 key is configured (PLANNER_BADGE_KEY = path of a PEM private key, made by
`planner badges keygen`); then each is a VC-JWT (JOSE header alg EdDSA, payload claims
iss, sub, jti, nbf and `vc` = the credential), signed with joserfc.

Import: JSON (one credential or a list) or compact JWTs (one per line). The
CFRubricCriterionLevel alignment names skill and level. A JWT whose signature verifies
against the configured key or a trusted one (PLANNER_BADGE_TRUSTED_KEYS, PEM paths
separated by commas) is *verified* and counts in full; any other badge counts at quality
UNVERIFIED_QUALITY. A signature that does not verify is refused. A credential id already
imported is skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy import select
from sqlmodel import Session, col

from planner.models import Assessment, Learner, Skill
from planner.models.badges import BadgeCredential
from planner.scenario import LEVEL_NAMES
from planner.services.assessment.calibrated import calibrate_learner
from planner.services.catalog.skills import descriptors
from planner.services.interop import case
from planner.services.interop.common import (
    FRAMEWORK_TITLE,
    now_iso,
    public_url,
    stable_uuid,
)
from planner.services.io.report import ImportProblem, ImportRejected, ImportReport
from planner.services.io.tables import Unreadable, read_document
from planner.services.planning.plans import plan_model

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
LEARNER_URN = "urn:planner:learner:"
UNVERIFIED_QUALITY = 0.5
ALG = "EdDSA"
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class BadgeError(ValueError):
    """No badges can be made (unknown learner, plan not completed, bad key)."""


# --- keys -------------------------------------------------------------------------------


def generate_key() -> bytes:
    """A new Ed25519 private key as PEM."""
    from joserfc.jwk import OKPKey

    return OKPKey.generate_key("Ed25519").as_pem(private=True)


def _load_key(path: str):
    from joserfc.jwk import OKPKey

    try:
        return OKPKey.import_key(Path(path).read_bytes())
    except OSError as exc:
        raise BadgeError(f"cannot read badge key {path}: {exc.strerror}") from None
    except Exception as exc:  # joserfc raises several types for a bad PEM
        raise BadgeError(f"{path} is not an Ed25519 key in PEM format ({exc})") from None


def signing_key(path: str | None = None):
    path = path or os.environ.get("PLANNER_BADGE_KEY")
    return _load_key(path) if path else None


def trusted_keys() -> list:
    keys = []
    own = signing_key()
    if own is not None:
        keys.append(own)
    for path in filter(None, (os.environ.get("PLANNER_BADGE_TRUSTED_KEYS") or "").split(",")):
        keys.append(_load_key(path.strip()))
    return keys


def issuer() -> dict:
    return {
        "id": f"{public_url()}/issuer",
        "type": ["Profile"],
        "name": os.environ.get("PLANNER_BADGE_ISSUER_NAME") or "planner",
    }


# --- export -----------------------------------------------------------------------------


def learner_subject_id(learner_id: str) -> str:
    return LEARNER_URN + quote(learner_id, safe="")


def credential(learner_id: str, skill: Skill, level: int, descriptor: str, how: str) -> dict:
    level_name = LEVEL_NAMES[level]
    item = case.item_id("skill", skill.id)
    level_uuid = case.level_id(skill.id, level)
    return {
        "@context": CONTEXTS,
        "id": "urn:uuid:" + stable_uuid("badge", learner_id, skill.id, str(level)),
        "type": TYPES,
        "name": f"{skill.name}: level {level} ({level_name})",
        "issuer": issuer(),
        "validFrom": now_iso(),
        "credentialSubject": {
            "id": learner_subject_id(learner_id),
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "urn:uuid:" + stable_uuid("achievement", skill.id, str(level)),
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": f"{skill.name} — {level_name}",
                "description": descriptor,
                "criteria": {
                    "narrative": f"Level {level} ({level_name}) of {skill.name}: {descriptor}"
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetType": "CFItem",
                        "targetName": skill.name,
                        "targetUrl": case.uri("CFItems", item),
                        "targetCode": skill.id,
                        "targetFramework": FRAMEWORK_TITLE,
                    },
                    {
                        "type": ["Alignment"],
                        "targetType": "CFRubricCriterionLevel",
                        "targetName": f"{skill.name}: {level_name}",
                        "targetDescription": descriptor,
                        "targetUrl": case.uri("CFRubricCriterionLevels", level_uuid),
                        "targetCode": f"{skill.id}#{level}",
                        "targetFramework": FRAMEWORK_TITLE,
                    },
                ],
            },
        },
        "evidence": [
            {"type": ["Evidence"], "name": "How the level was established", "narrative": how}
        ],
    }


def achieved_levels(
    session: Session, learner_id: str, plan_id: int | None = None
) -> dict[str, tuple[int, str]]:
    """skill -> (level, how it was established), levels 1-4 only."""
    learner = session.get(Learner, learner_id)
    if learner is None:
        raise BadgeError(f'unknown learner "{learner_id}"')
    if plan_id is not None:
        return _plan_levels(session, learner, plan_id)

    out = {}
    for skill_id, c in calibrate_learner(session, learner_id).items():
        if c.evidence_level:  # None (self only) or 0 make no badge
            out[skill_id] = (
                c.evidence_level,
                "Calibrated from the learner's evidence ("
                + "; ".join(c.reasons)
                + f"), confidence {c.confidence}.",
            )
    return out


def _plan_levels(session: Session, learner: Learner, plan_id: int) -> dict[str, tuple[int, str]]:
    try:
        plan = plan_model(session, plan_id)
    except Exception:
        raise BadgeError(f"unknown plan {plan_id}") from None
    mine = plan.learner(learner.id)
    if mine is None:
        raise BadgeError(f'plan {plan_id} has no schedule for learner "{learner.id}"')
    planned = [c for courses in mine.schedule.values() for c in courses]
    missing = [c for c in planned if c not in set(learner.completed)]
    if missing:
        raise BadgeError(
            f"plan {plan_id} is not completed: {', '.join(missing)} not yet "
            "marked completed for the learner"
        )
    how = f"Completed every course of plan {plan_id}: {', '.join(planned)}."
    return {s: (lv, how) for s, lv in sorted(mine.final_levels.items()) if lv >= 1}


def export_badges(
    session: Session, learner_id: str, plan_id: int | None = None, key_path: str | None = None
) -> tuple[list, bool]:
    """([credential dicts] or [compact JWTs] when a key is configured, signed?)."""
    levels = achieved_levels(session, learner_id, plan_id)
    skills = {
        s.id: s for s in session.scalars(select(Skill).where(col(Skill.id).in_(list(levels))))
    }
    credentials = []
    for skill_id, (level, how) in sorted(levels.items()):
        texts = descriptors(session, skill_id)
        descriptor = texts[level] if len(texts) > level else ""
        credentials.append(credential(learner_id, skills[skill_id], level, descriptor, how))
    key = signing_key(key_path)
    if key is None:
        return credentials, False
    return [sign(c, key) for c in credentials], True


def export_bytes(credentials: list, signed: bool) -> bytes:
    if signed:
        return ("\n".join(credentials) + "\n").encode("ascii")
    body = credentials[0] if len(credentials) == 1 else credentials
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def sign(document: dict, key) -> str:
    from joserfc import jwt

    valid_from = datetime.fromisoformat(document["validFrom"].replace("Z", "+00:00"))
    claims = {
        "iss": document["issuer"]["id"],
        "sub": document["credentialSubject"]["id"],
        "jti": document["id"],
        "nbf": int(valid_from.timestamp()),
        "vc": document,
    }
    header = {
        "alg": ALG,
        "typ": "JWT",
        "kid": document["issuer"]["id"] + "#key-1",
        "jwk": key.as_dict(private=False),
    }
    with warnings.catch_warnings():  # joserfc prefers RFC 9864's "Ed25519"; OB 3.0 names EdDSA
        warnings.simplefilter("ignore")
        return jwt.encode(header, claims, key, algorithms=[ALG])


# --- import -----------------------------------------------------------------------------


def looks_like_jwt(data: bytes) -> bool:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return bool(lines) and all(_JWT.match(line) for line in lines)


def is_credential(document) -> bool:
    items = document if isinstance(document, list) else [document]
    return bool(items) and all(
        isinstance(i, str)
        and _JWT.match(i.strip())
        or isinstance(i, dict)
        and CREDENTIAL_TYPES & set(_types(i))
        for i in items
    )


def _types(document: dict) -> list[str]:
    kind = document.get("type", [])
    return [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)]


def _verify(token: str, where: str, problems: list) -> tuple[dict | None, bool]:
    """(credential, verified by a trusted key) from a compact JWT."""
    from joserfc import jws, jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import OKPKey

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            header = jws.extract_compact(token.encode("ascii")).protected
        except (JoseError, ValueError) as exc:
            problems.append(f"{where}: not a readable JWT ({exc})")
            return None, False
        if header.get("alg") != ALG:
            problems.append(
                f"{where}: unsupported signature algorithm {header.get('alg')!r} "
                f"(this planner verifies {ALG} / Ed25519)"
            )
            return None, False
        for key in trusted_keys():
            try:
                return jwt.decode(token, key, algorithms=[ALG]).claims.get("vc"), True
            except JoseError:
                continue
        embedded = header.get("jwk")
        if embedded:
            try:
                claims = jwt.decode(token, OKPKey.import_key(embedded), algorithms=[ALG]).claims
            except (JoseError, ValueError) as exc:
                problems.append(f"{where}: the signature does not verify ({exc})")
                return None, False
            return claims.get("vc"), False
        problems.append(
            f"{where}: signed with a key this planner does not trust and the "
            "token carries no jwk to check it"
        )
        return None, False


def _level_index(session: Session) -> dict[str, tuple[str, int]]:
    """CASE level identifier -> (skill, level) for every stored skill."""
    return {
        case.level_id(s, level): (s, level)
        for s in session.scalars(select(col(Skill.id)))
        for level in range(len(LEVEL_NAMES))
    }


def parse_badges(data: bytes, name: str) -> list[tuple[str, object]]:
    """[(path, credential dict or JWT string)] from a file's bytes."""
    if looks_like_jwt(data):
        tokens = [t.strip() for t in data.decode("ascii", "replace").splitlines() if t.strip()]
        return [(f"line {i}", t) for i, t in enumerate(tokens, start=1)]
    try:
        document = read_document(data, yaml_syntax=False)
    except Unreadable as exc:
        raise ImportRejected([ImportProblem(name, None, None, str(exc))]) from None
    if isinstance(document, list):
        return [(f"[{i}]", d) for i, d in enumerate(document)]
    return [("(credential)", document)]


def import_badge(
    session: Session, data: bytes, name: str, learner_id: str | None = None, *, commit: bool = False
) -> ImportReport:
    """Badges -> assessment evidence of one learner; all-or-nothing (ImportRejected)."""
    problems: list[str] = []
    levels = _level_index(session)
    accepted = []  # (credential id, learner, skill, level, issuer, verified, valid from)
    for where, item in parse_badges(data, name):
        verified = False
        if isinstance(item, str):
            item, verified = _verify(item, where, problems)
            if item is None:
                continue
        found = _read_credential(item, where, levels, learner_id, problems)
        if found:
            accepted.append((*found, verified))
    if not accepted and not problems:
        problems.append("no badges in the file")
    learners = {a[1] for a in accepted}
    known = set(session.scalars(select(col(Learner.id)).where(col(Learner.id).in_(learners))))
    for a in accepted:
        if a[1] not in known:
            problems.append(f'{a[0]}: unknown learner "{a[1]}"')
    if problems:
        raise ImportRejected([ImportProblem(name, None, None, p) for p in problems])
    ids = [a[0] for a in accepted]
    held = {
        b.id: b
        for b in session.scalars(select(BadgeCredential).where(col(BadgeCredential.id).in_(ids)))
    }
    added = 0
    for cred_id, learner, skill, level, issuer_id, valid_from, verified in accepted:
        if cred_id in held:
            stored = held[cred_id]
            if verified and not stored.verified:  # the signed copy of a badge held unsigned
                stored.verified = True
                rating = (
                    session.get(Assessment, stored.assessment_id) if stored.assessment_id else None
                )
                if rating is not None:
                    rating.confidence = 1.0
            continue
        rating = Assessment(
            learner_id=learner,
            skill_id=skill,
            source="badge",
            level=level,
            confidence=1.0 if verified else UNVERIFIED_QUALITY,
            created_at=valid_from,
        )
        session.add(rating)
        session.flush()
        held[cred_id] = BadgeCredential(
            id=cred_id,
            learner_id=learner,
            skill_id=skill,
            level=level,
            issuer=issuer_id,
            verified=verified,
            assessment_id=rating.id,
        )
        session.add(held[cred_id])
        added += 1
    session.flush()
    if commit:
        session.commit()
    counts = {"badges": added}
    if len(accepted) > added:
        counts["badges already imported"] = len(accepted) - added
    return ImportReport(file=name, counts=counts)


def _read_credential(doc, where: str, levels: dict, learner_id: str | None, problems: list):
    if not isinstance(doc, dict) or not CREDENTIAL_TYPES & set(_types(doc)):
        problems.append(f"{where}.type: not an OpenBadgeCredential")
        return None
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        problems.append(f"{where}.credentialSubject: missing")
        return None
    achievement = subject.get("achievement")
    alignment = achievement.get("alignment") if isinstance(achievement, dict) else None
    if not isinstance(alignment, list):
        problems.append(f"{where}.credentialSubject.achievement.alignment: missing")
        return None
    found = None
    for i, entry in enumerate(alignment):
        if isinstance(entry, dict) and entry.get("targetType") == "CFRubricCriterionLevel":
            target = str(entry.get("targetUrl") or "").rstrip("/").rsplit("/", 1)[-1].lower()
            found = levels.get(target)
            if found is None:
                problems.append(
                    f"{where}.credentialSubject.achievement.alignment[{i}].targetUrl:"
                    f" {entry.get('targetUrl')!r} is no level of this taxonomy"
                )
                return None
            break
    if found is None:
        problems.append(
            f"{where}.credentialSubject.achievement.alignment: no alignment with "
            "targetType CFRubricCriterionLevel (which skill level it attests)"
        )
        return None
    subject_id = str(subject.get("id") or "")
    named = unquote(subject_id[len(LEARNER_URN) :]) if subject_id.startswith(LEARNER_URN) else None
    learner = learner_id or named
    if learner is None:
        problems.append(
            f"{where}.credentialSubject.id: {subject_id!r} names no learner of this "
            "planner; choose the learner to import it for"
        )
        return None
    if learner_id and named and named != learner_id:
        problems.append(
            f"{where}.credentialSubject.id: the badge belongs to learner "
            f'"{named}", not "{learner_id}"'
        )
        return None
    issuer_info = doc.get("issuer")
    issuer_id = (
        issuer_info.get("id", "") if isinstance(issuer_info, dict) else str(issuer_info or "")
    )
    cred_id = str(doc.get("id") or "")
    if not cred_id:
        problems.append(f"{where}.id: a credential needs an id")
        return None
    return cred_id, learner, found[0], found[1], issuer_id, _when(doc, where, problems)


def _when(doc: dict, where: str, problems: list) -> datetime:
    raw = doc.get("validFrom") or doc.get("issuanceDate")
    if not raw:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        problems.append(f"{where}.validFrom: {raw!r} is not an ISO 8601 date-time")
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
