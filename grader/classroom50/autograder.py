#!/usr/bin/env python3
"""Classroom 50 autograder for the concurrency-katas kit.

Copy this file into autograders/<assignment>/ of your Classroom 50 config repository, with
  hidden/     a copy of the kit's grader/hidden/ (the hidden tests, their seals)
  kit/        a copy of the kit's grader: grade, pom.xml, grader/{app,testkit,fork,scripts}
              (without target/), so that what grades is yours, not the student's copy
  katas.txt   optional: the katas to grade, one a line (else KATAS below, else every kata)
See README.md beside this file. Standard library only; Classroom 50 runs it with python3 in the
student's checkout and publishes ./result.json and ./release-body.md.

What it trusts: only the bundle and what the grader writes after every fork has ended. Learner
code runs as the same user as this script, so it is given no chance to write the outputs: they are
written here, last, from the grader's re-validated result; the runner's files ($GITHUB_OUTPUT and
the others) are put back to their size from before the grade.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# ---- Instructor's settings -------------------------------------------------------------------
KATAS = []                # e.g. ["fix-the-race", "start-and-join"]; empty: katas.txt, else every kata
GRADE_SECONDS = 11 * 60   # ./grade, the grader's first build included; the job's limit is 15 minutes
KATA_CORES = None         # e.g. 2: the cores the speedup targets assume (default: what the runner has)
# ----------------------------------------------------------------------------------------------

SCHEMA = "classroom50/result/v1"
MAX_RESULT_BYTES = 10 * 1024 * 1024
MAX_BODY_CHARS = 120_000  # a release body holds 125,000 characters
MESSAGE_LIMIT = 4000
RUNNER_FILES = ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")
# The grader's own files, brought from the bundle's kit/ over the student's copy.
KIT_PATHS = ("grade", "pom.xml", "grader/app", "grader/testkit", "grader/fork", "grader/scripts")
KATA_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def install_maven():
    """GitHub's Ubuntu runners have passwordless sudo and Debian's packages: install Maven from there."""
    if shutil.which("apt-get") is None or shutil.which("sudo") is None:
        return
    print("autograder: Maven is missing; installing Debian's package \"maven\"", file=sys.stderr)
    for step in (["sudo", "-n", "apt-get", "update", "-qq"],
                 ["sudo", "-n", "apt-get", "install", "-y", "-qq", "maven"]):
        try:
            subprocess.run(step, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return


class Failure(Exception):
    """The infrastructure failed: no grade. Classroom 50 publishes nothing for a non-zero exit."""


def main():
    checkout = Path.cwd()
    bundle = Path(os.environ.get("CLASSROOM50_BUNDLE_DIR") or Path(__file__).resolve().parent)
    for stale in ("result.json", "release-body.md"):
        remove(checkout / stale)
    try:
        java_home = find_jdk()
        if shutil.which("mvn") is None:
            install_maven()
        if shutil.which("mvn") is None:
            raise Failure("Maven (mvn) is not on PATH; the grader is built with it. Add the apt package "
                          "\"maven\" to the assignment's runtime, or use a runner image that has it.")
        prepare(checkout, bundle)
        reports = Path(tempfile.mkdtemp(prefix="katas-reports-", dir=os.environ.get("RUNNER_TEMP")))
        sizes = {name: size_of(os.environ.get(name)) for name in RUNNER_FILES}
        try:
            code = run_grade(checkout, java_home, reports, katas(bundle))
        finally:
            restore(sizes)
        if code != 0:
            raise Failure("./grade exited %d: see its output above" % code)
        result = read_result(reports / "classroom50-result.json")
        body = read_text(reports / "summary.md", MAX_BODY_CHARS)
    except Failure as e:
        for forged in ("result.json", "release-body.md"):
            remove(checkout / forged)  # whatever the learner's code left there is no grade
        print("::error::autograder: %s" % one_line(str(e)), flush=True)
        print("autograder: no grade: %s" % e, file=sys.stderr)
        return 1
    # Last: nothing of the learner's runs any more; what it left under these names goes.
    remove(checkout / "release-body.md")
    (checkout / "release-body.md").write_text(body or "# Concurrency katas\n", encoding="utf-8")
    write_json(checkout / "result.json", result)
    print("autograder: %d/%d points, written to result.json" % (result["score"], result["max-score"]))
    return 0


def find_jdk():
    """A JDK 21 or newer: the runtime's (JAVA_HOME), a runner image's JAVA_HOME_<n>_X64, /usr/lib/jvm."""
    candidates = [os.environ.get("JAVA_HOME")]
    candidates += [os.environ[k] for k in sorted(os.environ, reverse=True) if re.match(r"^JAVA_HOME_\d+_", k)]
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        candidates += [str(p) for p in sorted(jvm.iterdir(), reverse=True)]
    for home in candidates:
        if home and java_major(home) >= 21:
            return home
    raise Failure("no JDK 21 or newer found (looked at JAVA_HOME, JAVA_HOME_*_X64 and /usr/lib/jvm): set the "
                  "assignment's runtime to {\"java\": \"21\"}")


def java_major(home):
    java, javac = Path(home, "bin", "java"), Path(home, "bin", "javac")
    if not (java.is_file() and javac.is_file()):
        return 0
    try:
        out = subprocess.run([str(java), "-XshowSettings:properties", "-version"], capture_output=True,
                             text=True, timeout=60).stderr
    except (OSError, subprocess.SubprocessError):
        return 0
    found = re.search(r"java\.specification\.version = (\d+)", out)
    return int(found.group(1)) if found else 0


def prepare(checkout, bundle):
    """The bundle's hidden tests and grader in place of the student's; nothing built or configured by them."""
    hidden = bundle / "hidden"
    if not hidden.is_dir():
        raise Failure("the bundle has no hidden/ folder (a copy of the kit's grader/hidden/) beside autograder.py")
    if not (checkout / "exercises").is_dir():
        raise Failure("the checkout has no exercises/: is this assignment's template the kit?")
    for link in ("grader", "grader/hidden", ".mvn"):
        if (checkout / link).is_symlink():
            remove(checkout / link)  # a link would send what is copied below into the student's choice of folder
    remove(checkout / "grader" / "hidden")
    shutil.copytree(hidden, checkout / "grader" / "hidden", symlinks=False)
    kit = bundle / "kit"
    if kit.is_dir():
        for path in KIT_PATHS:
            if (kit / path).exists():
                remove(checkout / path)
                copy(kit / path, checkout / path)
    else:
        print("::warning::autograder: the bundle has no kit/, so the student's own copy of the grader grades "
              "(an edited copy could forge its grade): see README.md", flush=True)
    # A jar built or committed by the student, or Maven settings of theirs, would stand in for the grader.
    for target in ("grader/app/target", "grader/testkit/target", "grader/fork/target", ".mvn"):
        remove(checkout / target)


def katas(bundle):
    chosen = list(KATAS)
    listed = bundle / "katas.txt"
    if not chosen and listed.is_file():
        chosen = [line.split("#")[0].strip() for line in listed.read_text(encoding="utf-8").splitlines()]
        chosen = [k for k in chosen if k]
    for kata in chosen:
        if not KATA_NAME.match(kata):
            raise Failure("not a kata name: %r (katas.txt or KATAS)" % kata)
    return chosen


def run_grade(checkout, java_home, reports, chosen):
    env = {k: v for k, v in os.environ.items() if k not in RUNNER_FILES}
    env["JAVA_HOME"] = java_home
    env["PATH"] = str(Path(java_home, "bin")) + os.pathsep + env.get("PATH", "")
    if KATA_CORES:
        env["KATA_CORES"] = str(KATA_CORES)
    command = ["bash", str(checkout / "grade"), "--classroom50", "--reports", str(reports)] + chosen
    # What the learner's code prints cannot be a workflow command (::set-output::, ::add-mask::, ...).
    token = secrets.token_hex(16)
    print("::stop-commands::%s" % token, flush=True)
    process = subprocess.Popen(command, cwd=str(checkout), env=env, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        code = process.wait(timeout=GRADE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        code = None
    print("::%s::" % token, flush=True)
    if code is None:
        raise Failure("./grade did not finish within %d s (GRADE_SECONDS): grade fewer katas per assignment"
                      % GRADE_SECONDS)
    return code


def size_of(name):
    return os.path.getsize(name) if name and os.path.isfile(name) else None


def restore(sizes):
    """Whatever was appended to the runner's files during the grade goes: only this script writes them."""
    for name, size in sizes.items():
        path = os.environ.get(name)
        if not path or size is None or not os.path.isfile(path):
            continue
        now = os.path.getsize(path)
        if now > size:
            with open(path, "r+b") as f:
                f.truncate(size)
            print("::error::the code under grading wrote into the workflow's %s: discarded" % name, flush=True)
        elif now < size:
            print("::error::the code under grading cut the workflow's %s short" % name, flush=True)


def read_result(path):
    if path.is_symlink() or not path.is_file():
        raise Failure("the grader wrote no %s" % path.name)
    if path.stat().st_size > MAX_RESULT_BYTES:
        raise Failure("%s is over 10 MiB" % path.name)
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"), parse_constant=reject_constant)
    except (ValueError, UnicodeDecodeError) as e:
        raise Failure("%s is not valid JSON: %s" % (path.name, e))
    problems = validate(raw)
    if problems:
        raise Failure("the grader's result breaks Classroom 50's rules: " + "; ".join(problems[:5]))
    return fresh_result(raw)


def reject_constant(name):
    raise ValueError("%s is not a number Classroom 50 takes" % name)


def is_points(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def validate(result):
    """Classroom 50's collector's rules for the parts the grader writes, plus the totals being the sums."""
    if not isinstance(result, dict):
        return ["not an object"]
    problems = []
    if result.get("schema") != SCHEMA:
        problems.append("schema is not %s" % SCHEMA)
    for field in ("score", "max-score"):
        if not is_points(result.get(field)):
            problems.append("%s must be a non-negative integer" % field)
    tests = result.get("tests")
    if not isinstance(tests, list):
        return problems + ["tests must be a list"]
    for i, test in enumerate(tests):
        if not isinstance(test, dict):
            problems.append("tests[%d] must be an object" % i)
            continue
        if not isinstance(test.get("test-name"), str) or not test["test-name"]:
            problems.append("tests[%d].test-name must be a non-empty string" % i)
        if not isinstance(test.get("passed"), bool):
            problems.append("tests[%d].passed must be a boolean" % i)
        if not (is_points(test.get("score")) and is_points(test.get("max-score"))):
            problems.append("tests[%d] scores must be non-negative integers" % i)
        elif test["score"] > test["max-score"]:
            problems.append("tests[%d].score above its max-score" % i)
        elif test.get("passed") is True and test["score"] != test["max-score"]:
            problems.append("tests[%d] passed without full points" % i)
        if "message" in test and not isinstance(test["message"], str):
            problems.append("tests[%d].message must be a string" % i)
    if not problems:
        if result["score"] != sum(t["score"] for t in tests):
            problems.append("score is not the sum of the tests")
        if result["max-score"] != sum(t["max-score"] for t in tests):
            problems.append("max-score is not the sum of the tests")
        if result["score"] > result["max-score"]:
            problems.append("score above max-score")
    return problems


def fresh_result(graded):
    """A new document: the grader's tests and sums, this job's identity, nothing else."""
    env = os.environ
    commit = env.get("COMMIT_URL") or "local"
    submission = env.get("SUBMISSION_TAG") or "submit/local"
    tests = [{"test-name": t["test-name"], "passed": t["passed"], "score": t["score"], "max-score": t["max-score"],
              "message": str(t.get("message", ""))[:MESSAGE_LIMIT]} for t in graded["tests"]]
    datetime = graded.get("datetime")
    return {
        "schema": SCHEMA,
        "classroom": env.get("CLASSROOM") or "local",
        "assignment": env.get("ASSIGNMENT") or "local",
        "assignment_type": env.get("ASSIGNMENT_TYPE") or "individual",
        "owner": env.get("OWNER") or env.get("USERNAME") or "local",
        "submission": submission if submission.startswith("submit/") else "submit/" + submission,
        "commit": commit,
        "release": env.get("RELEASE_URL") or "local",
        "review": env.get("REVIEW_URL") or commit,
        # The runner stamps the commit's own time over it.
        "datetime": datetime if isinstance(datetime, str) and DATETIME.match(datetime) else "1970-01-01T00:00:00Z",
        "score": sum(t["score"] for t in tests),
        "max-score": sum(t["max-score"] for t in tests),
        "tests": tests,
    }


def read_text(path, limit):
    if path.is_symlink() or not path.is_file():
        return None
    text = path.read_bytes()[: limit * 4].decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "\n\n… (cut: the whole summary is in the job's log)\n"


def write_json(path, value):
    remove(path)
    data = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    path.write_text(data, encoding="utf-8")


def copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=False, ignore=shutil.ignore_patterns("target"))
    else:
        shutil.copy2(source, target)


def remove(path):
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def one_line(text):
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
