# placeholder replaced by the OAuth work in progress
from flask import Blueprint
bp = Blueprint("oauth", __name__)
