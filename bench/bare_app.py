"""The floor to compare the hotline with: Flask answering every request with one constant TwiML.

It runs under the same gunicorn command as the hotline, so the ratio of the two throughputs is
what the hotline's own work (signature check, Redis, flow, TwiML) costs on top of gunicorn and
Flask. It reads nothing from the request, on purpose: anything it did would be ours to measure.
Built at import, unlike the hotline's app, because it has no settings and nothing to connect to.
"""

from flask import Flask, Response

#: About the size of the hotline's answers (its French main menu is ~800 bytes, accents included).
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/voice/step" method="POST" numDigits="1" timeout="8">'
    '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Bienvenue. Ce service vous explique '
    "comment demander votre titre de séjour sur le site de l'administration.</Say>"
    '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Menu principal.</Say>'
    '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Pour entendre les étapes de la '
    "demande en ligne, appuyez sur 1.</Say>"
    '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Pour savoir ce qu\'est le récépissé, '
    "appuyez sur 2.</Say>"
    '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Si la création de votre compte est '
    "bloquée, appuyez sur 3.</Say>"
    '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Pour réécouter, appuyez sur 0.</Say>'
    "</Gather>"
    '<Redirect method="POST">/voice/step</Redirect></Response>'
)

app = Flask(__name__)


@app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
@app.route("/<path:path>", methods=["GET", "POST"])
def constant(path: str) -> Response:
    """Every path, every method: the same document (GET also serves as the readiness check)."""
    return Response(TWIML, mimetype="text/xml")
