import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks PIT's surviving mutants against a kata's list of justified survivors.
 *
 * <pre>java grader/scripts/PitSurvivors.java MUTATIONS_XML SURVIVORS_MD [MIN_KILL_PERCENT]</pre>
 *
 * <p>MUTATIONS_XML is PIT's {@code mutations.xml}; SURVIVORS_MD is {@code solutions/<kata>/pit-survivors.md},
 * whose table has the columns class, method, mutator, description, reason. A survivor (a mutant no
 * test detected, covered or not) is matched on its class (without the package), method, mutator
 * (short name) and description: not on its line, so moving unrelated lines changes nothing. One row
 * justifies one survivor; equal survivors need as many rows. A reason starting with
 * {@code NOT EQUIVALENT} says a test is missing, so it does not justify the survivor.
 *
 * <p>Exit 0 when every survivor is justified and at least MIN_KILL_PERCENT (default 95) of the
 * mutants are killed (PIT's "detected": killed or timed out); 1 otherwise, naming each unjustified
 * survivor; 2 when a file cannot be read. Rows that match no survivor are named too, without
 * failing: the mutant was killed this time (a test that kills it only sometimes, or a new test:
 * remove the row), or its code changed. The last line is the summary grader/scripts/mutation-test
 * reads.
 */
public class PitSurvivors {

    static final String NOT_EQUIVALENT = "NOT EQUIVALENT";

    record Key(String mutatedClass, String method, String mutator, String description) {
        @Override
        public String toString() {
            return mutatedClass + "." + method + " | " + mutator + " | " + description;
        }
    }

    record Survivor(Key key, String status, int line) { }

    record Justification(Key key, String reason, int line) {
        boolean needsATest() {
            return reason.isBlank() || reason.toUpperCase(Locale.ROOT).startsWith(NOT_EQUIVALENT);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: java PitSurvivors.java MUTATIONS_XML SURVIVORS_MD [MIN_KILL_PERCENT]");
            System.exit(2);
        }
        Path xml = Path.of(args[0]);
        Path md = Path.of(args[1]);
        double minKill = args.length == 3 ? Double.parseDouble(args[2]) : 95.0;
        if (!Files.isRegularFile(xml)) {
            System.err.println("no PIT report at " + xml + ": did PIT run (mvn -Preference,mutation ... verify)?");
            System.exit(2);
        }

        int[] counts = new int[2]; // mutants, detected
        List<Survivor> survivors;
        List<Justification> rows;
        try {
            survivors = readSurvivors(xml, counts);
            rows = Files.isRegularFile(md) ? readJustifications(md) : List.of();
        } catch (Exception unreadable) {
            System.err.println("cannot read the report or the justifications: " + unreadable.getMessage());
            System.exit(2);
            return;
        }

        // Pair rows with survivors of the same key, one to one.
        Map<Key, List<Justification>> unused = new LinkedHashMap<>();
        for (Justification row : rows) {
            unused.computeIfAbsent(row.key(), k -> new ArrayList<>()).add(row);
        }
        List<Survivor> unlisted = new ArrayList<>();
        List<Justification> needTests = new ArrayList<>();
        int justified = 0;
        for (Survivor survivor : survivors) {
            List<Justification> candidates = unused.getOrDefault(survivor.key(), new ArrayList<>());
            if (candidates.isEmpty()) {
                unlisted.add(survivor);
                continue;
            }
            // An equivalent row first, so a NOT EQUIVALENT row is left over only when there is one.
            Justification row = candidates.stream().filter(j -> !j.needsATest()).findFirst().orElse(candidates.get(0));
            candidates.remove(row);
            if (row.needsATest()) {
                needTests.add(row);
            } else {
                justified++;
            }
        }
        List<Justification> stale = unused.values().stream().flatMap(List::stream).toList();

        int mutants = counts[0];
        int killed = counts[1];
        double rate = mutants == 0 ? 0 : 100.0 * killed / mutants;
        boolean ok = true;
        if (!Files.isRegularFile(md)) {
            System.out.println("note: " + md + " does not exist; every survivor is unjustified");
        }
        for (Survivor s : unlisted) {
            Key k = s.key();
            String row = "| " + k.mutatedClass() + " | `" + k.method() + "` | " + k.mutator() + " | `"
                    + k.description().replace("|", "\\|") + "` | |";
            System.out.println("UNJUSTIFIED survivor (not in " + md.getFileName() + "): " + k + "   [" + s.status()
                    + ", line " + s.line() + " now]; row to complete:\n    " + row);
            ok = false;
        }
        for (Justification j : needTests) {
            System.out.println("NEEDS A TEST (" + md.getFileName() + " line " + j.line() + "): " + j.key()
                    + "   " + (j.reason().isBlank() ? "(no reason given)" : j.reason()));
            ok = false;
        }
        for (Justification j : stale) { // killed this time (perhaps only sometimes), or its code changed
            System.out.println("STALE justification (" + md.getFileName() + " line " + j.line()
                    + ") matches no survivor this run: " + j.key());
        }
        if (mutants == 0) {
            System.out.println("PIT made no mutants");
            ok = false;
        } else if (rate < minKill) {
            System.out.printf(Locale.ROOT, "KILL RATE %.1f%% is below %.0f%%%n", rate, minKill);
            ok = false;
        }
        System.out.printf(Locale.ROOT, "%s: %d mutants, %d killed (%.1f%%), survivors %d justified / %d unjustified, "
                + "%d stale justification(s)%n", ok ? "PASS" : "FAIL", mutants, killed, rate, justified,
                unlisted.size() + needTests.size(), stale.size());
        System.exit(ok ? 0 : 1);
    }

    /** Every mutant PIT did not detect; counts[0] gets the number of mutants, counts[1] the detected ones. */
    static List<Survivor> readSurvivors(Path xml, int[] counts) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        NodeList mutations = factory.newDocumentBuilder().parse(xml.toFile()).getElementsByTagName("mutation");
        List<Survivor> survivors = new ArrayList<>();
        for (int i = 0; i < mutations.getLength(); i++) {
            Element m = (Element) mutations.item(i);
            counts[0]++;
            if (Boolean.parseBoolean(m.getAttribute("detected"))) {
                counts[1]++;
                continue;
            }
            Key key = new Key(simpleName(text(m, "mutatedClass")), text(m, "mutatedMethod"),
                    shortMutator(text(m, "mutator")), text(m, "description"));
            survivors.add(new Survivor(key, m.getAttribute("status"), Integer.parseInt(text(m, "lineNumber"))));
        }
        return survivors;
    }

    /** The rows of the Markdown table: | class | method | mutator | description | reason |. */
    static List<Justification> readJustifications(Path md) throws IOException {
        List<String> lines = Files.readAllLines(md);
        List<Justification> rows = new ArrayList<>();
        boolean header = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.startsWith("|")) {
                header = true; // a new table starts with its own header
                continue;
            }
            if (header || line.matches("\\|[\\s:|-]*")) {
                header = false;
                continue;
            }
            List<String> cells = cells(line);
            if (cells.size() != 5) {
                throw new IOException(md + " line " + (i + 1) + ": expected 5 cells (class, method, mutator, "
                        + "description, reason), found " + cells.size());
            }
            rows.add(new Justification(new Key(simpleName(cells.get(0)), cells.get(1), shortMutator(cells.get(2)),
                    cells.get(3)), cells.get(4), i + 1));
        }
        return rows;
    }

    static List<String> cells(String row) {
        String inner = row.substring(1, row.endsWith("|") && !row.endsWith("\\|") ? row.length() - 1 : row.length());
        List<String> cells = new ArrayList<>();
        for (String cell : inner.split("(?<!\\\\)\\|", -1)) {
            String text = cell.strip().replace("\\|", "|");
            if (text.length() >= 2 && text.startsWith("`") && text.endsWith("`")) {
                text = text.substring(1, text.length() - 1);
            }
            cells.add(text);
        }
        return cells;
    }

    static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().strip();
    }

    static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    static String shortMutator(String mutator) {
        return mutator.substring(mutator.lastIndexOf('.') + 1);
    }
}
