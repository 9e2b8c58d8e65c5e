"""`lucy bench import`: how fast a Day One export comes in.

Writes the generated diary (``sample_diary``, one entry a day) as a Day One export zip —
Journal.json with location and weather like the real thing, and a small photo every 30th
entry — then imports it into a fresh journal the way ``lucy import dayone`` does (read,
plan, one transaction) and imports it again (everything skipped).
"""

from __future__ import annotations

import base64
import hashlib
import json
import tempfile
import time
import zipfile
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from lucy_app.core.bench import sample_diary
from lucy_app.core.io import dayone, importer
from lucy_app.core.storage.db import Database, file_size

#: A 1×1 PNG, as Day One would store a (very small) photo.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
ZONE = "Europe/London"


def dayone_zip(path: Path, n_entries: int, *, photo_every: int = 30) -> int:
    """Write the generated diary as a Day One export zip; returns the number of photos."""
    zone = ZoneInfo(ZONE)
    out, photos = [], {}
    for i, s in enumerate(sample_diary.generate(n_entries)):
        local = datetime.combine(s.day, dtime(21, 15)).replace(tzinfo=zone)
        uuid = hashlib.md5(f"entry-{s.day}".encode()).hexdigest().upper()
        text = f"# {s.title}\n\n{s.body}".replace("!", "\\!")
        entry = {
            "uuid": uuid,
            "creationDate": local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "modifiedDate": local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timeZone": ZONE,
            "text": text,
            "tags": list(s.tags),
            "starred": s.mood == 5,
            "duration": 0,
            "creationDevice": "Bench iPhone",
            "location": {"localityName": "Bristol", "country": "United Kingdom",
                         "latitude": 51.45, "longitude": -2.58},
            "weather": {"conditionsDescription": "Cloudy", "temperatureCelsius": 11.0},
        }
        if photo_every and i % photo_every == 0:
            ident = hashlib.md5(f"photo-{s.day}".encode()).hexdigest().upper()
            data = PNG + s.day.isoformat().encode()  # distinct bytes per photo
            md5 = hashlib.md5(data).hexdigest()
            photos[md5] = data
            entry["photos"] = [{"identifier": ident, "md5": md5, "type": "png", "width": 1, "height": 1}]
            entry["text"] = f"![](dayone-moment://{ident})\n\n" + text
        out.append(entry)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Journal.json", json.dumps({"metadata": {"version": "1.0"}, "entries": out}, indent=2))
        for md5, data in photos.items():
            z.writestr(f"photos/{md5}.png", data)
    return len(photos)


def run(n_entries: int = 3650) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "Export.zip"
        n_photos = dayone_zip(archive, n_entries)
        db = Database(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        batch = dayone.read(archive)
        t1 = time.perf_counter()
        todo = importer.plan(db, batch)
        t2 = time.perf_counter()
        summary = importer.apply(db, todo)
        t3 = time.perf_counter()
        again = importer.plan(db, dayone.read(archive)).summary()
        t4 = time.perf_counter()
        size = file_size(db.path)
        zip_size = archive.stat().st_size
        db.close()
    total = t3 - t0
    return {
        "entries": n_entries,
        "photos": n_photos,
        "zip_mb": round(zip_size / 1e6, 1),
        "read_seconds": round(t1 - t0, 2),
        "plan_seconds": round(t2 - t1, 2),
        "write_seconds": round(t3 - t2, 2),
        "import_seconds": round(total, 2),
        "import_entries_per_s": round(n_entries / total, 1),
        "added": summary["added"],
        "reimport_seconds": round(t4 - t3, 2),
        "reimport_skipped": again["skipped"],
        "journal_mb": round(size / 1e6, 1),
    }
