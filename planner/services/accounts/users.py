"""User accounts: creation, password checks and API tokens.

Passwords are hashed with werkzeug (scrypt). API tokens are random 256-bit strings shown
once; only their SHA-256 is stored (a token has enough entropy that a slow hash adds
nothing, and a plain digest can be looked up by equality).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import lru_cache

from sqlmodel import Session, select
from werkzeug.security import check_password_hash, generate_password_hash

from planner import ROOT
from planner.models import USER_ROLES, Learner, User

MIN_PASSWORD_LENGTH = 8
MIN_DISTINCT_CHARACTERS = 4  # "aaaaaaaa", "12121212" and "abababab" are not passwords
COMMON_PASSWORDS_PATH = ROOT / "seed" / "common-passwords.txt"
USERNAME_PATTERN = re.compile(r"^[\w.@+-]{2,80}$")  # \w is Unicode: 李娜 is a valid name

# Checked against when the username is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """Bad account input; `field` names the form field it belongs to."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_user(session: Session, login: str) -> User | None:
    """By username, or by e-mail when the login contains no exact username match."""
    login = login.strip()
    user = session.exec(select(User).where(User.username == login)).first()
    if user is None and "@" in login:
        user = session.exec(select(User).where(User.email == login.lower())).first()
    return user


def check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME_PATTERN.match(username):
        raise AccountError("username", "use 2-80 letters, digits or . @ + - _ (no spaces)")
    return username


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_PATH.read_text("utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def check_password(password: str, username: str | None = None, email: str | None = None) -> str:
    """The password policy; raises AccountError("password", why)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise AccountError("password", "cannot be only spaces")
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise AccountError(
            "password",
            f"is too simple: use at least {MIN_DISTINCT_CHARACTERS} different characters",
        )
    folded = password.strip().casefold()
    if folded in common_passwords():
        raise AccountError("password", "is one of the most common passwords; choose another")
    for own in (username, email, (email or "").split("@")[0]):
        if own and folded == own.strip().casefold():
            raise AccountError("password", "cannot be your username or e-mail")
    return password


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str = "learner",
    email: str | None = None,
    learner_id: str | None = None,
) -> User:
    """Add a new account (flushed, not committed). Raises AccountError naming the field."""
    username = check_username(username)
    check_password(password, username, email)
    if role not in USER_ROLES:
        raise AccountError("role", f"must be one of {', '.join(USER_ROLES)}")
    if session.exec(select(User).where(User.username == username)).first():
        raise AccountError("username", f'"{username}" is taken')
    email = email.strip().lower() if email else None
    if email and session.exec(select(User).where(User.email == email)).first():
        raise AccountError("email", f'"{email}" belongs to another account')
    if learner_id is not None:
        link_learner_check(session, learner_id)
    user = User(
        username=username,
        email=email,
        role=role,
        password_hash=generate_password_hash(password),
        learner_id=learner_id,
    )
    session.add(user)
    session.flush()
    return user


def link_learner_check(session: Session, learner_id: str, user: User | None = None) -> None:
    if session.get(Learner, learner_id) is None:
        raise AccountError("learner_id", f'unknown learner "{learner_id}"')
    other = session.exec(select(User).where(User.learner_id == learner_id)).first()
    if other is not None and (user is None or other.id != user.id):
        raise AccountError("learner_id", f'learner "{learner_id}" is linked to "{other.username}"')


def set_password(session: Session, user: User, password: str) -> None:
    """New password; every session and remember cookie of the account ends with it."""
    user.password_hash = generate_password_hash(check_password(password, user.username, user.email))
    end_sessions(session, user)


def end_sessions(session: Session, user: User) -> None:
    """Sign the account out everywhere: the session version is part of the id every
    session and remember cookie carries (planner.security), so all of them stop matching."""
    user.session_version = (user.session_version or 1) + 1
    session.add(user)


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The account when the password matches, else None (same cost either way)."""
    user = find_user(session, login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User) -> str:
    """Create a new API token for `user` (replacing any old one); return it in clear once."""
    token = "pln_" + secrets.token_urlsafe(32)
    user.api_token_hash = token_digest(token)
    session.add(user)
    session.flush()
    return token


def revoke_token(session: Session, user: User) -> None:
    user.api_token_hash = None
    session.add(user)


def user_for_token(session: Session, token: str) -> User | None:
    if not token:
        return None
    return session.exec(select(User).where(User.api_token_hash == token_digest(token))).first()


def generate_password() -> str:
    """A readable random password for demo and created accounts."""
    return secrets.token_urlsafe(9)
