// Read an .ics on stdin with Mozilla's ical.js (the parser inside Thunderbird) and print JSON.
//
// ical.js has no time zone database of its own: a TZID is resolved only through the VTIMEZONE
// components registered here, taken from the file itself. So the UTC instants printed are what
// a client that trusts the embedded VTIMEZONE (Outlook, Thunderbird) will show, which is what
// the Python tests compare against the plan. A TZID without a matching VTIMEZONE is an error,
// never a silent "floating" time.
//
//   node parse-ics.mjs < invite.ics
//   {"method": "REQUEST", "timezones": ["America/Toronto"], "events": [{"uid": …,
//    "dtstart": {"utc": "2027-03-15T23:00:00Z", "tzid": "America/Toronto", "local": "2027-03-15T19:00:00"}, …}]}
import ICAL from "ical.js";

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

function fail(message) {
  process.stderr.write(`parse-ics: ${message}\n`);
  process.exit(1);
}

function instant(prop) {
  if (!prop) return null;
  const time = prop.getFirstValue();
  const tzid = prop.getParameter("tzid") || null;
  if (tzid) {
    if (!ICAL.TimezoneService.has(tzid)) fail(`${prop.name} names TZID ${tzid} but the file has no VTIMEZONE for it`);
    // Resolve through the registered (embedded) definition, whatever the parser attached.
    time.zone = ICAL.TimezoneService.get(tzid);
  } else if (!time.isDate && time.zone !== ICAL.Timezone.utcTimezone) {
    fail(`${prop.name} ${time.toString()} is a floating time (no TZID, no Z)`);
  }
  const utc = new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
  return { utc, tzid, local: time.toString() };
}

function address(prop) {
  const value = String(prop.getFirstValue());
  const out = { email: value.replace(/^mailto:/i, ""), value };
  for (const name of ["cn", "role", "partstat", "rsvp", "cutype", "language"]) {
    const p = prop.getParameter(name);
    if (p !== undefined && p !== null) out[name] = p;
  }
  return out;
}

function text(comp, name) {
  const v = comp.getFirstPropertyValue(name);
  return v === null || v === undefined ? null : String(v);
}

const source = await readStdin();
let root;
try {
  root = new ICAL.Component(ICAL.parse(source));
} catch (e) {
  fail(`cannot parse: ${e.message}`);
}
if (root.name !== "vcalendar") fail(`top component is ${root.name}, not vcalendar`);

const timezones = [];
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  const tz = new ICAL.Timezone(vtz);
  ICAL.TimezoneService.register(tz, tz.tzid);
  timezones.push(tz.tzid);
}

const method = text(root, "method");
const events = root.getAllSubcomponents("vevent").map((ev) => ({
  uid: text(ev, "uid"),
  sequence: ev.getFirstPropertyValue("sequence"),
  method,
  status: text(ev, "status"),
  summary: text(ev, "summary"),
  description: text(ev, "description"),
  location: text(ev, "location"),
  dtstamp: instant(ev.getFirstProperty("dtstamp")),
  dtstart: instant(ev.getFirstProperty("dtstart")),
  dtend: instant(ev.getFirstProperty("dtend")),
  organizer: ev.getFirstProperty("organizer") ? address(ev.getFirstProperty("organizer")) : null,
  attendees: ev.getAllProperties("attendee").map(address),
}));

process.stdout.write(
  JSON.stringify({
    version: text(root, "version"),
    prodid: root.getAllProperties("prodid").map((p) => String(p.getFirstValue())),
    method,
    calname: text(root, "x-wr-calname"),
    timezones,
    events,
  }) + "\n",
);
