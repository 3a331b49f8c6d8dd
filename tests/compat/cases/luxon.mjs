// luxon formats through Intl (DateTimeFormat, NumberFormat, PluralRules, RelativeTimeFormat)
import { DateTime, Duration, Interval, Info } from "luxon";
const dt = DateTime.fromISO("2020-02-29T13:45:07", { zone: "utc" });
console.log(dt.toISO(), dt.toFormat("cccc, LLLL d yyyy HH:mm"), dt.plus({ months: 1 }).toISODate());
console.log(dt.toLocaleString(DateTime.DATETIME_MED), dt.toLocaleString(DateTime.DATE_FULL), dt.setZone("America/New_York").toFormat("ff ZZZZ"));
console.log(dt.toRelative({ base: dt.plus({ days: 3 }) }), dt.toRelativeCalendar({ base: dt.plus({ days: 1 }) }));
console.log(Duration.fromObject({ hours: 2, minutes: 5 }).toFormat("hh:mm"), Duration.fromMillis(90061000).shiftTo("days", "hours", "minutes", "seconds").toHuman());
console.log(Interval.fromDateTimes(dt, dt.plus({ weeks: 2 })).length("days"), Info.months("short").join(","), Info.weekdays("long")[0]);
console.log(DateTime.fromFormat("12/25/2021 8:00 PM", "MM/dd/yyyy h:mm a", { zone: "utc" }).toISO(), DateTime.fromISO("nope").isValid);
