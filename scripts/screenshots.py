"""Screenshots of the site's pages at phone and desktop width, in Chinese and English, to look
at before shipping. Needs a running site (make run) and Debian's chromium.

    .venv/bin/python scripts/screenshots.py [base_url] [page ...]

Pages are paths; those under /admin/ are taken logged in as `guangda` (demo-2026; another
user with SHOT_USER=town). Writes screenshots/<name>-<lang>-<width>.png.
SHOT_WIDTHS=375,800,1280,1920 takes other widths (a tablet, a wide screen: the staff lists
change layout with the width they get); SHOT_FULL=1 takes the whole page, not the first screen.

    SHOT_WIDTHS=375,1280 .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 \
        /admin/meetings/appeal/ /admin/meetings/meeting/"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
PAGES = sys.argv[2:] or ["/", "/accounts/login/", "/admin/", "/admin/branches/member/"]
USER = (os.environ.get("SHOT_USER", "guangda"), "demo-2026")
FULL = bool(os.environ.get("SHOT_FULL"))  # by default the first screen: what a user judges
WIDTHS = [int(w) for w in os.environ.get("SHOT_WIDTHS", "375,1280").split(",")]
OUT = Path(__file__).resolve().parent.parent / "screenshots"


def main():
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for lang in ("zh-hans", "en"):
            for width in WIDTHS:
                context = browser.new_context(viewport={"width": width, "height": 800})
                context.add_cookies([{"name": "django_language", "value": lang, "url": BASE}])
                page = context.new_page()
                page.goto(f"{BASE}/accounts/login/")
                page.fill("input[name=username]", USER[0])
                page.fill("input[name=password]", USER[1])
                page.click("#login-form button[type=submit]")
                for path in PAGES:
                    page.goto(BASE + path)
                    name = path.strip("/").replace("/", "_") or "home"
                    target = OUT / f"{name}-{lang}-{width}.png"
                    page.screenshot(path=str(target), full_page=FULL)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
