const moment = require("moment");
const m = moment.utc("2020-02-29T13:45:07Z");
console.log(m.format(), m.format("dddd, MMMM Do YYYY, h:mm:ss a"), m.clone().add(1, "year").format("YYYY-MM-DD"));
console.log(m.from(moment.utc("2020-03-05")), m.diff(moment.utc("2020-01-01"), "days"), m.isLeapYear(), m.week(), m.quarter());
console.log(moment.duration(3725, "seconds").humanize(), moment.utc("2020-01-31").add(1, "M").format("L"), moment("bad", "YYYY-MM-DD", true).isValid());
console.log(m.calendar(moment.utc("2020-03-01T10:00:00Z")), moment.utc([2021, 0, 1]).startOf("isoWeek").format("ll"));
