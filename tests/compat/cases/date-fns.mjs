import { format, addDays, differenceInCalendarDays, formatDistanceStrict, parseISO, isWeekend, eachDayOfInterval, formatISO } from "date-fns";
const d = parseISO("2024-02-27T10:00:00Z");
console.log(format(d, "yyyy-MM-dd EEEE"), format(addDays(d, 3), "PPP"), differenceInCalendarDays(parseISO("2025-01-01"), d));
console.log(formatDistanceStrict(d, parseISO("2024-03-10T10:00:00Z")), isWeekend(parseISO("2024-03-02")), formatISO(d));
console.log(eachDayOfInterval({ start: d, end: addDays(d, 3) }).map((x) => format(x, "d MMM")));
