package katas.threadlocalcontext;

import java.util.Objects;

/**
 * Who a request is for and how to find it in the logs: the user it acts for and its trace id. Given: do
 * not change it. Immutable, so any thread may read it.
 *
 * @param user the user the request acts for, never null
 * @param traceId the request's trace id, never null
 */
public record RequestContext(String user, String traceId) {

    public RequestContext {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(traceId, "traceId");
    }
}
