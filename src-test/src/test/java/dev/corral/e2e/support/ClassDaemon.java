package dev.corral.e2e.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One daemon for a whole test class: on a static {@link Sandbox} field,
 * {@code @ClassDaemon static Sandbox sandbox;} gives the class a sandbox in a temporary folder
 * of its own with its daemon started (with {@link #args()}) before the first test, and stopped
 * and removed after the last. A test that changes shared limits starts a sandbox of its own.
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(ClassDaemon.Extension.class)
public @interface ClassDaemon {
    /** corrald's arguments beyond the sandbox's socket and state directory. */
    String[] args() default {};

    /** Fills the class's {@code @ClassDaemon} field before its tests and closes it after them. */
    final class Extension implements BeforeAllCallback, AfterAllCallback {
        private static final ExtensionContext.Namespace SPACE = ExtensionContext.Namespace.create(ClassDaemon.class);

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            Field field = field(context.getRequiredTestClass());
            Path dir = Files.createTempDirectory("corral-e2e-");
            Sandbox sandbox = new Sandbox(dir);
            context.getStore(SPACE).put(Sandbox.class, sandbox);
            context.getStore(SPACE).put(Path.class, dir);
            field.setAccessible(true);
            field.set(null, sandbox);
            sandbox.startDaemon(field.getAnnotation(ClassDaemon.class).args());
        }

        @Override
        public void afterAll(ExtensionContext context) throws IOException {
            Sandbox sandbox = context.getStore(SPACE).remove(Sandbox.class, Sandbox.class);
            if (sandbox != null) {
                sandbox.close();
            }
            Path dir = context.getStore(SPACE).remove(Path.class, Path.class);
            if (dir != null) {
                try (Stream<Path> tree = Files.walk(dir)) {
                    tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
        }

        private static Field field(Class<?> testClass) {
            var fields = AnnotationSupport.findAnnotatedFields(testClass, ClassDaemon.class);
            if (fields.size() != 1 || !ModifierSupport.isStatic(fields.get(0)) || fields.get(0).getType() != Sandbox.class) {
                throw new IllegalStateException(testClass.getName() + ": @ClassDaemon goes on one static Sandbox field");
            }
            return fields.get(0);
        }
    }
}
