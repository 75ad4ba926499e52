package katas.threadlocalcontext;

/**
 * One line of the audit log: what a request did, for which user, under which trace id. Given: do not
 * change it. Immutable, so any thread may read it.
 *
 * @param user the user of the request that audited it
 * @param traceId the trace id of the request that audited it
 * @param message what the request did
 */
public record AuditRecord(String user, String traceId, String message) {
}
