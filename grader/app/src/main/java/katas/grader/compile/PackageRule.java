package katas.grader.compile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learner sources may only declare classes in the kata's own package (or below it), each in the
 * folder of its package: a class named like a grader, testkit, JUnit or JDK class could otherwise
 * stand in for it. The compiler is never asked to compile a file that breaks this rule.
 */
public final class PackageRule {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    private PackageRule() {
    }

    /** What is wrong with the sources, one line per file, or an empty list. */
    public static List<String> problems(SourceSet sources, String kataPackage) throws IOException {
        List<String> problems = new ArrayList<>();
        String folder = kataPackage.replace('.', '/');
        for (Path file : sources.files()) {
            String relative = relative(sources, file);
            if (relative.endsWith("module-info.java")) {
                problems.add(relative + ": a module declaration is not allowed; keep your classes in package "
                        + kataPackage);
                continue;
            }
            Matcher m = PACKAGE.matcher(COMMENTS.matcher(Files.readString(file)).replaceAll(" "));
            String declared = m.find() ? m.group(1) : "";
            boolean inKata = declared.equals(kataPackage) || declared.startsWith(kataPackage + ".");
            if (!inKata) {
                problems.add(relative + ": declares " + (declared.isEmpty() ? "no package" : "package " + declared)
                        + ", but your classes must be in package " + kataPackage + " (or a package inside it)");
            } else if (!relative.startsWith(folder + "/")
                    || !relative.substring(0, relative.lastIndexOf('/')).equals(declared.replace('.', '/'))) {
                problems.add(relative + ": is in package " + declared + " but not in its folder "
                        + declared.replace('.', '/') + "/");
            }
        }
        return problems;
    }

    private static String relative(SourceSet sources, Path file) {
        for (Path root : sources.roots()) {
            if (file.startsWith(root)) {
                return root.relativize(file).toString().replace('\\', '/');
            }
        }
        return file.toString();
    }
}
