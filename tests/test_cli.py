from __future__ import annotations

from sqlalchemy import func, select

from portal.auth.models import User
from portal.demo import DEMO_PEOPLE
from portal.extensions import db


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Boss@Clinic.test",
            "--name",
            "Boss",
            "--password",
            "a long admin passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "boss@clinic.test")).one()
        assert user.role_set == {"admin"}


def test_create_admin_refuses_a_weak_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "b@clinic.test", "--name", "B", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 10" in result.output


def test_seed_demo_prints_sign_ins_and_runs_again_safely(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    for email, *_ in DEMO_PEOPLE:
        assert email in first.output
    assert app.config["DEMO_PASSWORD"] in first.output
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has accounts" in second.output
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_PEOPLE)


def test_demo_people_can_sign_in(app):
    from tests.fixtures.forms import sign_in

    app.test_cli_runner().invoke(args=["seed-demo"])
    for email, *_ in DEMO_PEOPLE:
        assert sign_in(app.test_client(), email, app.config["DEMO_PASSWORD"]).status_code == 302
