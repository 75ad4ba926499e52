package katas.threadlocalcontext;

import java.util.List;

/**
 * Where audit records go: a slow store (a file on a network drive, a log service). Given: do not change
 * it. The server calls it from one thread at a time.
 */
@FunctionalInterface
public interface AuditSink {

    /**
     * Stores a batch of records, in the order given. Slow: it may take a while, and it may fail.
     *
     * @param batch the records to store, never empty
     * @throws Exception whatever went wrong; an {@link Error} is possible too
     */
    void write(List<AuditRecord> batch) throws Exception;
}
