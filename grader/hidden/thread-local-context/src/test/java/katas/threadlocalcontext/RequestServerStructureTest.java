package katas.threadlocalcontext;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import katas.testkit.KataTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: a stop flag that is not volatile may never be seen to change by the thread that reads
 * it in a loop, and no run on two cores shows it reliably. The rule reads the compiled classes of package
 * {@code katas.threadlocalcontext} that come from where RequestServer was loaded (the learner's code, not the
 * tests). It is scored on a server that works: while a request cannot be audited and closed, it fails, so that
 * an empty stub earns no structure points.
 */
@Tag("structure")
@DisplayName("RequestServer's structure")
@KataTest
class RequestServerStructureTest {

    private static final String PACKAGE = "katas.threadlocalcontext";
    private static JavaClasses learnerClasses;
    private static String notWorking;

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException {
        Path root = Path.of(RequestServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        try {
            learnerClasses = new ClassFileImporter().importLocations(List.of(Location.of(root)));
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
        notWorking = whyNotWorking();
    }

    /** Empty when a server runs a request that audits a record, and close() writes it; otherwise why not. */
    private static String whyNotWorking() {
        try (Desk desk = Desk.of(1, 1, Duration.ofHours(1))) {
            RequestContext context = new RequestContext("quinn", "5e1f0a77");
            RequestServer server = desk.server;
            desk.get(server.handle(context, () -> {
                server.audit("opened ticket 4711");
                return null;
            }), "a request that audits");
            String closing = desk.closeWithin(Duration.ofSeconds(3));
            if (closing != null) {
                return closing;
            }
            List<AuditRecord> written = desk.sink.written();
            if (!written.equals(List.of(new AuditRecord("quinn", "5e1f0a77", "opened ticket 4711")))) {
                return "one request audited one record, and close() wrote " + written;
            }
            return "";
        } catch (UnsupportedOperationException todo) {
            return "RequestServer still throws UnsupportedOperationException(\"" + todo.getMessage() + "\")";
        } catch (Throwable broken) {
            return "a request that audits one record, then close(), failed: " + broken;
        }
    }

    private static void requireAWorkingServer() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(RequestServer.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test")
                || n.contains(".Desk") || n.contains(".RecordingSink"))) {
            throw new IllegalStateException("the structure rules should read the compiled RequestServer and no "
                    + "test class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a server that works, and this one does not yet: "
                    + notWorking);
        }
    }

    @Test
    @Tag("rule-9")
    @DisplayName("keeps every boolean flag and enum state volatile (or final): a plain flag may never be seen to change by the flusher")
    void flagsAreVolatile() {
        requireAWorkingServer();
        fields().that().areDeclaredInClassesThat().resideInAPackage(PACKAGE + "..")
                .and(com.tngtech.archunit.base.DescribedPredicate.describe("a flag or a state (boolean, Boolean or "
                        + "an enum)", field -> field.getRawType().getName().equals("boolean")
                        || field.getRawType().getName().equals("java.lang.Boolean") || field.getRawType().isEnum()))
                .and().areNotStatic()
                .should().haveModifier(JavaModifier.VOLATILE).orShould().haveModifier(JavaModifier.FINAL)
                .because("the flusher reads its stop flag (or state) in a loop on its own thread while close() sets "
                        + "it on another: without volatile, nothing makes the write visible, and the JIT may read the "
                        + "field once and loop forever (an AtomicBoolean, or no flag at all, is fine too)")
                // A server with no such field (an AtomicBoolean, a poison pill, a latch) keeps the rule: nothing to
                // check is not a failure.
                .allowEmptyShould(true)
                .check(learnerClasses);
    }
}
