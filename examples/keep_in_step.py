"""Keep a local copy of ORCID's public data in step, with all four channels ORCID offers.

1. **The public data file** seeds the copy: twelve tarballs, unpacked as ORCID lays them out.
2. **The Lambda file + the S3 sync buckets** catch up: every record modified since the last run
   (rows are newest first, so reading stops at the first older one) is fetched from the buckets.
3. **A webhook** says at once which record changed; that record is fetched from the buckets.
4. **Search by modification date** (``profile-last-modified-date:[since TO *]``) cross-checks
   which records changed, where the server offers ORCID's search API.

Run it against a mock (or, with real credentials and URLs, against ORCID itself)::

    mock-orcid serve &
    python examples/keep_in_step.py --url http://127.0.0.1:8080 --dir ./orcid-copy --demo

``--demo`` also plays the world changing between syncs (a researcher adds a work, hides one,
deletes one, a record is locked) through the member API, then checks that the copy matches
the buckets byte for byte. Needs ``boto3`` (≥ 1.28) and ``requests``.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import threading
import urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import requests
from botocore.config import Config

DATE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def activities_bucket(orcid: str) -> str:
    return "v3.0-activities-" + ("a" if orcid[-1] in "0123" else "b" if orcid[-1] in "4567" else "c")


class LocalCopy:
    """``summaries/{last3}/{orcid}.xml`` and ``activities/{last3}/{orcid}/{section}/{file}``."""

    def __init__(self, root: Path, s3):
        self.root, self.s3 = root, s3
        self.watermark: datetime | None = None      # newest Lambda row already applied

    # -- channel 1: the public data file ---------------------------------------------------
    def seed_from_public_data_file(self, url: str) -> int:
        archives = self.root / "archives"
        subprocess.run([sys.executable, "-m", "mock_orcid.cli", "export", "public-data-file",
                        str(archives), "--url", url], check=True, capture_output=True)
        files = 0
        for archive in sorted(archives.glob("ORCID_*_10_*.tar.gz")):
            kind = "summaries" if "_summaries" in archive.name else "activities"
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    if member.isfile():
                        inner = member.name.split("/", 1)[1]       # drop ORCID_YYYY_10_…/
                        self._write(self.root / kind / inner, tar.extractfile(member).read())
                        files += 1
        shutil.rmtree(archives)
        self.watermark = self.lambda_rows()[0][1]       # the file is as new as its newest row
        return files

    # -- channel 2: the Lambda file, then the buckets ---------------------------------------
    def lambda_rows(self) -> list[tuple[str, datetime]]:
        body = self.s3.get_object(Bucket="orcid-lambda-file", Key="last_modified.csv.tar")["Body"].read()
        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            text = tar.extractfile("last_modified.csv").read().decode("utf-8")
        rows = []
        for line in text.split("\n")[1:]:
            orcid, _path, _created, modified = line.split(",")
            rows.append((orcid, datetime.strptime(modified, DATE_FORMAT)))
        return rows

    def catch_up_from_lambda_file(self) -> list[str]:
        changed, newest = [], self.watermark
        for orcid, modified in self.lambda_rows():
            if self.watermark is not None and modified <= self.watermark:
                break                                   # newest first: the rest is older
            newest = max(newest or modified, modified)
            changed.append(orcid)
        for orcid in changed:
            self.refresh(orcid)
        self.watermark = newest
        return changed

    def refresh(self, orcid: str) -> None:
        """One record from the buckets: its summary, its activities, and what left them."""
        last3 = orcid[-3:]
        summary = self.root / "summaries" / last3 / (orcid + ".xml")
        summary.parent.mkdir(parents=True, exist_ok=True)
        self.s3.download_file("v3.0-summaries", "%s/%s.xml" % (last3, orcid), str(summary))
        bucket, listed = activities_bucket(orcid), {}
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix="%s/%s/" % (last3, orcid), PaginationConfig={"PageSize": 1000})
        for page in pages:
            for obj in page.get("Contents", []):
                listed[obj["Key"]] = obj["ETag"].strip('"')
        mine = self.root / "activities" / last3 / orcid
        for path in list(mine.rglob("*.xml")) if mine.exists() else []:
            if path.relative_to(self.root / "activities").as_posix() not in listed:
                path.unlink()                           # deleted or no longer public
        for folder in sorted(mine.rglob("*"), reverse=True) if mine.exists() else []:
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()                          # as sync.py prunes empty folders
        for key, etag in listed.items():
            path = self.root / "activities" / key
            if not path.exists() or hashlib.md5(path.read_bytes()).hexdigest() != etag:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.s3.download_file(bucket, key, str(path))

    def _write(self, path: Path, body: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    # -- the proof -------------------------------------------------------------------------
    def differences(self) -> list[str]:
        """Every file that differs from the buckets, is missing, or should be gone."""
        remote = {}
        for bucket, kind in [("v3.0-summaries", "summaries")] + [
                ("v3.0-activities-" + x, "activities") for x in "abc"]:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for obj in page.get("Contents", []):
                    remote["%s/%s" % (kind, obj["Key"])] = obj["ETag"].strip('"')
        local = {p.relative_to(self.root).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
                 for p in self.root.rglob("*.xml")}
        return sorted(k for k in set(remote) | set(local) if remote.get(k) != local.get(k))


# -- channel 3: a webhook ----------------------------------------------------------------------
class WebhookReceiver:
    """A callback ORCID POSTs to when a record changes; the iD is in the callback's path."""

    def __init__(self):
        self.called = threading.Event()
        self.orcids: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.orcids.append(self.path.rstrip("/").rsplit("/", 1)[-1])
                self.send_response(204)
                self.end_headers()
                receiver.called.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def callback(self, orcid: str) -> str:
        return "http://127.0.0.1:%d/orcid-changed/%s" % (self.server.server_port, orcid)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def client_token(url: str, client_id: str, secret: str, scope: str) -> str:
    r = requests.post(url + "/oauth/token", data={"client_id": client_id, "client_secret": secret,
                                                  "grant_type": "client_credentials", "scope": scope})
    r.raise_for_status()
    return r.json()["access_token"]


def register_webhook(url: str, token: str, orcid: str, callback: str) -> None:
    r = requests.put("%s/%s/webhook/%s" % (url, orcid, urllib.parse.quote(callback, safe="")),
                     headers={"Authorization": "Bearer " + token})
    r.raise_for_status()


# -- channel 4: search by modification date --------------------------------------------------------
def search_modified_since(url: str, token: str, since: datetime) -> list[str] | None:
    """iDs whose record changed at or after ``since``; None if the server has no search API."""
    query = "profile-last-modified-date:[%s TO *]" % since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    found, start = [], 0
    while True:
        r = requests.get(url + "/v3.0/search/", params={"q": query, "start": start, "rows": 1000},
                         headers={"Accept": "application/vnd.orcid+json",
                                  "Authorization": "Bearer " + token})
        if r.status_code == 404:
            return None
        r.raise_for_status()
        results = r.json().get("result") or []
        found.extend(hit["orcid-identifier"]["path"] for hit in results)
        start += len(results)
        if not results or start >= r.json().get("num-found", 0):
            return found


# -- the demo: the world changes between syncs ------------------------------------------------------
class World:
    def __init__(self, url: str):
        self.url = url
        client = requests.post(url + "/__admin/clients", json={"name": "Demo CRIS", "type": "member",
                                                            "redirect_uris": ["http://127.0.0.1/callback"]}).json()
        self.client = client
        self.orcid = requests.post(url + "/__admin/users", json={"given_names": "Ada"}).json()["orcid"]
        self.other = requests.post(url + "/__admin/users", json={"given_names": "Grace"}).json()["orcid"]
        self.tokens = {orcid: self._token(orcid) for orcid in (self.orcid, self.other)}

    def _token(self, orcid: str) -> str:
        redirect = self.client["redirect_uris"][0]
        r = requests.get(self.url + "/oauth/authorize", allow_redirects=False, params={
            "client_id": self.client["client_id"], "response_type": "code", "login_as": orcid,
            "scope": "/read-limited /activities/update", "redirect_uri": redirect})
        code = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["Location"]).query)["code"][0]
        r = requests.post(self.url + "/oauth/token", data={
            "client_id": self.client["client_id"], "client_secret": self.client["client_secret"],
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect})
        return r.json()["access_token"]

    def add_work(self, orcid: str, title: str) -> int:
        body = {"title": {"title": {"value": title}}, "type": "journal-article",
                "external-ids": {"external-id": [{"external-id-type": "doi", "external-id-value":
                                                  "10.5555/" + title.replace(" ", "-").lower(),
                                                  "external-id-relationship": "self"}]}}
        r = requests.post("%s/v3.0/%s/work" % (self.url, orcid), json=body, headers={
            "Authorization": "Bearer " + self.tokens[orcid],
            "Content-Type": "application/vnd.orcid+json"})
        r.raise_for_status()
        return int(r.headers["Location"].rsplit("/", 1)[1])

    def hide(self, orcid: str, put_code: int) -> None:      # the researcher, in ORCID's UI
        requests.patch("%s/__admin/users/%s/work/%d" % (self.url, orcid, put_code),
                       json={"visibility": "private"}).raise_for_status()

    def delete(self, orcid: str, put_code: int) -> None:
        requests.delete("%s/v3.0/%s/work/%d" % (self.url, orcid, put_code), headers={
            "Authorization": "Bearer " + self.tokens[orcid]}).raise_for_status()

    def lock(self, orcid: str) -> None:                      # ORCID's support team
        requests.patch("%s/__admin/users/%s" % (self.url, orcid),
                       json={"state": "locked"}).raise_for_status()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--dir", default="./orcid-copy")
    parser.add_argument("--demo", action="store_true", help="change the world between syncs, then check")
    parser.add_argument("--premium-id", default="APP-MOCKPREMIUM00001")
    parser.add_argument("--premium-secret", default="mock-premium-secret")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id="mock", aws_secret_access_key="mock",
                      region_name="us-east-2", config=Config(retries={"max_attempts": 2}))
    root = Path(args.dir)
    shutil.rmtree(root, ignore_errors=True)
    copy = LocalCopy(root, s3)

    world = World(url) if args.demo else None
    if world:
        kept = world.add_work(world.orcid, "Kept work")
        hidden = world.add_work(world.orcid, "Hidden later")
        gone = world.add_work(world.other, "Deleted later")

    print("public data file: %d files unpacked" % copy.seed_from_public_data_file(url))
    since = copy.watermark
    if not world:
        print("   copy in %s; run with --demo to see it follow changes" % root)
        return 0
    webhooks = WebhookReceiver()
    hook_token = client_token(url, args.premium_id, args.premium_secret, "/webhook")
    public_token = client_token(url, args.premium_id, args.premium_secret, "/read-public")

    register_webhook(url, hook_token, world.orcid, webhooks.callback(world.orcid))
    new = world.add_work(world.orcid, "Added after the seed")
    world.hide(world.orcid, hidden)
    if not webhooks.called.wait(30):
        print("   no webhook call within 30 s", file=sys.stderr)
        return 1
    for orcid in dict.fromkeys(webhooks.orcids):
        copy.refresh(orcid)
    print("webhook: called back for %s, refreshed from the buckets" % ", ".join(dict.fromkeys(webhooks.orcids)))

    world.delete(world.other, gone)
    world.lock(world.other)
    changed = copy.catch_up_from_lambda_file()
    print("Lambda file + buckets: %d record(s) modified since the seed, refreshed: %s"
          % (len(changed), ", ".join(changed)))

    found = search_modified_since(url, public_token, since)
    if found is None:
        print("search: this server has no /v3.0/search; the Lambda file said which records changed")
    else:
        # A locked record leaves ORCID's search index, so search cannot say it changed: the
        # Lambda file is the channel that does.
        missing = set(changed) - set(found) - {world.other}
        print("search: %d record(s) modified since the seed (the locked one is not searchable)%s"
              % (len(found), "" if not missing else "; missing %s" % ", ".join(sorted(missing))))
        if missing:
            return 1
    webhooks.close()

    differences = copy.differences()
    expected_gone = not any((root / "activities" / world.other[-3:]).rglob("*.xml"))
    kept_there = any(root.rglob("*_works_%d.xml" % kept)) and any(root.rglob("*_works_%d.xml" % new))
    hidden_gone = not any(root.rglob("*_works_%d.xml" % hidden))
    if differences or not (expected_gone and kept_there and hidden_gone):
        print("NOT in step: %s" % (differences or "activities were not followed"), file=sys.stderr)
        return 1
    print("in step: %d files match the buckets byte for byte" % len(list(root.rglob("*.xml"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
