package katas.grader.compile;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The part of compiled classes that code compiled against them can see: classes, their non-private
 * fields and methods with descriptors, generic signatures, declared exceptions and constant values,
 * sealed and record shapes, nested classes. Two folders with the same API give the same text, so
 * tests compiled against one are valid against the other; method bodies and private members do not
 * count. Read straight from the class file format (JVMS chapter 4), since the grader runs on JDK 21.
 */
final class ClassApi {

    private static final int ACC_PRIVATE = 0x0002;
    private static final int ACC_SYNTHETIC = 0x1000;
    /** Anonymous and local classes ({@code Outer$1}, {@code Outer$1Local}) cannot be named by other code. */
    private static final Pattern UNNAMEABLE = Pattern.compile(".*\\$\\d.*");

    private ClassApi() {
    }

    /** The API of every class file under {@code dir}, one canonical text. */
    static String of(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        StringBuilder api = new StringBuilder();
        for (Path file : files) {
            String name = dir.relativize(file).toString();
            if (!UNNAMEABLE.matcher(name).matches()) {
                api.append(of(Files.readAllBytes(file))).append('\n');
            }
        }
        return api.toString();
    }

    /** The API of one class file. */
    static String of(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        ConstantPool pool = ConstantPool.ofClassFile(in);
        StringBuilder api = new StringBuilder();
        int access = in.readUnsignedShort();
        api.append("class ").append(pool.className(in.readUnsignedShort())).append(' ').append(access);
        int superIndex = in.readUnsignedShort();
        api.append(" extends ").append(superIndex == 0 ? "" : pool.className(superIndex));
        int interfaces = in.readUnsignedShort();
        for (int i = 0; i < interfaces; i++) {
            api.append(" implements ").append(pool.className(in.readUnsignedShort()));
        }
        List<String> members = new ArrayList<>();
        for (String kind : List.of("field", "method")) {
            int count = in.readUnsignedShort();
            for (int i = 0; i < count; i++) {
                int flags = in.readUnsignedShort();
                String member = kind + " " + flags + " " + pool.get(in.readUnsignedShort()) + " " + pool.get(in.readUnsignedShort())
                        + attributes(in, pool);
                if ((flags & (ACC_PRIVATE | ACC_SYNTHETIC)) == 0) {
                    members.add(member);
                }
            }
        }
        api.append(attributes(in, pool)).append('\n');
        members.stream().sorted().forEach(m -> api.append("  ").append(m).append('\n'));
        return api.toString();
    }

    /** The attributes that matter to code compiled against the class, resolved; the rest skipped. */
    private static String attributes(DataInputStream in, ConstantPool pool) throws IOException {
        StringBuilder out = new StringBuilder();
        int count = in.readUnsignedShort();
        for (int i = 0; i < count; i++) {
            String name = (String) pool.get(in.readUnsignedShort());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            DataInputStream a = new DataInputStream(new ByteArrayInputStream(body));
            switch (name) {
                case "Signature" -> out.append(" sig=").append(pool.get(a.readUnsignedShort()));
                case "ConstantValue" -> out.append(" value=").append(pool.get(a.readUnsignedShort()));
                case "Exceptions", "PermittedSubclasses" -> {
                    out.append(' ').append(name).append('=');
                    int n = a.readUnsignedShort();
                    for (int j = 0; j < n; j++) {
                        out.append(pool.className(a.readUnsignedShort())).append(',');
                    }
                }
                case "InnerClasses" -> {
                    int n = a.readUnsignedShort();
                    for (int j = 0; j < n; j++) {
                        int inner = a.readUnsignedShort();
                        a.readUnsignedShort();
                        a.readUnsignedShort();
                        out.append(" inner=").append(pool.className(inner)).append('/').append(a.readUnsignedShort());
                    }
                }
                case "Record" -> {
                    int n = a.readUnsignedShort();
                    for (int j = 0; j < n; j++) {
                        out.append(" component=").append(pool.get(a.readUnsignedShort())).append(':')
                                .append(pool.get(a.readUnsignedShort())).append(attributes(a, pool));
                    }
                }
                default -> {
                    // Code, line numbers, annotations, nest members...: not part of what others compile against.
                }
            }
        }
        return out.toString();
    }
}
