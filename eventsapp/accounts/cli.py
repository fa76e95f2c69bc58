import click
from flask.cli import with_appcontext

from eventsapp.accounts import services
from eventsapp.accounts.models import Role
from eventsapp.extensions import db
from eventsapp.validation import ValidationFailed


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.ORGANIZER.value,
              show_default=True, help="What the account may do.")
@click.option("--name", "display_name", default=None, help="Display name (defaults to the part before @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="NEW_USER_PASSWORD",
              help="Asked for when not given; scripts can set NEW_USER_PASSWORD instead.")
@with_appcontext
def create_user_command(email: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account, e.g. the first organizer: create-user --role organizer EMAIL."""
    try:
        user = services.create_account(email, password, display_name or email.split("@")[0], Role(role))
    except ValidationFailed as failure:
        for field, message in failure.errors:
            click.echo(f"Error ({field}): {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")
