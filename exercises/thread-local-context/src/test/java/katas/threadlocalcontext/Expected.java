package katas.threadlocalcontext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The audit records the tests expect: each one under a unique message, with the context of the request that
 * audited it and the "stream" it belongs to (the records one thread audited one after the other, whose order
 * must be kept).
 */
final class Expected {

    private record Entry(RequestContext context, String stream, int place) {
    }

    private final Map<String, Entry> byMessage = new ConcurrentHashMap<>();

    /** Remembers {@code message} as audited for {@code context}, as the {@code place}-th record of {@code stream}. */
    String add(RequestContext context, String stream, int place, String message) {
        byMessage.put(message, new Entry(context, stream, place));
        return message;
    }

    /** A message for the {@code place}-th record of {@code stream}, remembered. */
    String message(RequestContext context, String stream, int place) {
        return add(context, stream, place, stream + " #" + place);
    }

    int size() {
        return byMessage.size();
    }

    /** How many of the expected records are in {@code written}. */
    long countIn(List<AuditRecord> written) {
        return written.stream().filter(r -> byMessage.containsKey(r.message())).map(AuditRecord::message)
                .distinct().count();
    }

    /** Forgets a message: one whose audit was refused. */
    void forget(String message) {
        byMessage.remove(message);
    }

    /**
     * Null when {@code written} holds every expected record exactly once, each with its request's user and
     * trace id, and each stream in its order; otherwise what is wrong, in words.
     */
    String check(List<AuditRecord> written, String ruleOfContext) {
        Map<String, Integer> times = new HashMap<>();
        Map<String, Integer> lastPlace = new LinkedHashMap<>();
        for (AuditRecord record : written) {
            Entry entry = byMessage.get(record.message());
            if (entry == null) {
                return "the sink was given a record nobody audited: " + record;
            }
            RequestContext wrote = new RequestContext(String.valueOf(record.user()), String.valueOf(record.traceId()));
            if (!wrote.equals(entry.context())) {
                return "record '" + record.message() + "' was audited by the request of " + Desk.who(entry.context())
                        + " but written as " + Desk.who(wrote) + "'s: " + ruleOfContext;
            }
            if (times.merge(record.message(), 1, Integer::sum) > 1) {
                return "record '" + record.message() + "' was written twice: each record goes to the sink once (rule 6)";
            }
            Integer before = lastPlace.put(entry.stream(), entry.place());
            if (before != null && before > entry.place()) {
                return "record '" + record.message() + "' was written after record #" + before + " of the same "
                        + "thread, which audited it later: records of one thread are written in the order it audited "
                        + "them (rule 6)";
            }
        }
        List<String> missing = new ArrayList<>();
        byMessage.keySet().stream().filter(m -> !times.containsKey(m)).sorted().limit(5).forEach(missing::add);
        if (!missing.isEmpty()) {
            return (byMessage.size() - times.size()) + " of " + byMessage.size() + " records audited were never "
                    + "written, e.g. " + missing + " (rules 6 and 8: every record audited is written, by the flusher "
                    + "or by close()'s last flush)";
        }
        return null;
    }
}
