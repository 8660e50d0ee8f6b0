package dev.corral.client;

import dev.corral.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParentCommand;

/**
 * picocli's model of the commands, read from their annotations at build time and rebuilt at run
 * time through picocli's programmatic API. Reading the annotations at run time costs a short
 * command 40–80 ms (reflection, and a generated proxy class per annotation type, which no CDS
 * archive holds); rebuilding the same options from the model files ({@code commands/NAME.model}) costs a few.
 *
 * <p>The annotations stay the one source of truth: the build runs {@link #main} after compiling,
 * which writes the model next to the classes, and a unit test checks that it matches them. Help,
 * usage errors, completion and every command the model cannot describe (one that asks for its
 * {@code @Spec}, say) go through the annotated model as before (see {@link Corral#commandLine}).
 */
final class CommandModel {
    /** A folder of resources beside this class: {@code root.model}, and one {@code NAME.model} per subcommand. */
    static final String RESOURCE = "commands/";

    private CommandModel() {}

    /**
     * Build time: {@code CommandModel OUTPUT-FOLDER} writes the model of the root and of every
     * subcommand, a file each, so that a command reads only its own (about 1 KB, not 15).
     */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws IOException {
        Path out = Files.createDirectories(Path.of(args[0]));
        Map<String, Object> model = describeAll();
        Files.write(out.resolve("root.model"), Json.write(model.get("root")));
        for (Map.Entry<String, Object> command : ((Map<String, Object>) model.get("commands")).entrySet()) {
            Files.write(out.resolve(command.getKey() + ".model"), Json.write(command.getValue()));
        }
    }

    /** Every subcommand by name, described from the annotated model. */
    static Map<String, Object> describeAll() {
        CommandLine full = new CommandLine(new Corral());
        Corral.SUBCOMMANDS.forEach(full::addSubcommand);
        Map<String, Object> model = new LinkedHashMap<>();
        Map<String, Object> commands = new LinkedHashMap<>();
        full.getSubcommands().forEach((name, sub) -> {
            Map<String, Object> described = describe(sub.getCommandSpec());
            if (described != null && !name.equals("help")) {
                commands.put(name, described);
            }
        });
        model.put("root", describeArgs(full.getCommandSpec()));
        model.put("commands", commands);
        return model;
    }

    /** One command and its subcommands, or null when the model cannot carry it. */
    private static Map<String, Object> describe(CommandSpec spec) {
        Class<?> type = spec.userObject().getClass();
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("class", type.getName());
        List<String> parents = new ArrayList<>();
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isAnnotationPresent(ParentCommand.class)) {
                    parents.add(c.getName() + "#" + field.getName());
                } else if (field.isAnnotationPresent(CommandLine.Spec.class) || field.isAnnotationPresent(CommandLine.Mixin.class)
                        || field.isAnnotationPresent(CommandLine.ArgGroup.class) || field.isAnnotationPresent(CommandLine.Unmatched.class)) {
                    return null;
                }
            }
        }
        // The standard help options come from the root (inherited); any other mixin the model lacks.
        if (spec.mixins().keySet().stream().anyMatch(m -> !m.equals("mixinStandardHelpOptions")) || !spec.argGroups().isEmpty()) {
            return null;
        }
        command.put("parents", parents);
        Map<String, Object> args = describeArgs(spec);
        if (args == null) {
            return null;
        }
        command.putAll(args);
        Map<String, Object> subs = new LinkedHashMap<>();
        for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
            Map<String, Object> described = describe(sub.getValue().getCommandSpec());
            if (described == null) {
                return null;
            }
            subs.put(sub.getKey(), described);
        }
        command.put("subcommands", subs);
        return command;
    }

    private static Map<String, Object> describeArgs(CommandSpec spec) {
        List<Object> options = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            if (option.inherited() || option.usageHelp() || option.versionHelp()) {
                continue;
            }
            Map<String, Object> described = describeArg(option);
            if (described == null || option.negatable()) {
                return null;
            }
            described.put("names", List.of(option.names()));
            described.put("inherit", option.scopeType() == CommandLine.ScopeType.INHERIT);
            options.add(described);
        }
        List<Object> positionals = new ArrayList<>();
        for (PositionalParamSpec positional : spec.positionalParameters()) {
            if (positional.inherited()) {
                continue;
            }
            Map<String, Object> described = describeArg(positional);
            if (described == null) {
                return null;
            }
            described.put("index", positional.index().isUnspecified() ? null : positional.index().toString());
            positionals.add(described);
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("options", options);
        args.put("positionals", positionals);
        return args;
    }

    private static Map<String, Object> describeArg(ArgSpec arg) {
        if (!(arg.userObject() instanceof Field field) || Modifier.isStatic(field.getModifiers())) {
            return null;
        }
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("field", field.getDeclaringClass().getName() + "#" + field.getName());
        described.put("type", arg.type().getName());
        List<String> aux = new ArrayList<>();
        for (Class<?> c : arg.auxiliaryTypes()) {
            aux.add(c.getName());
        }
        described.put("aux", aux);
        described.put("arity", arg.arity().isUnspecified() ? null : arg.arity().toString());
        described.put("label", arg.paramLabel());
        described.put("default", arg.defaultValue());
        described.put("required", arg.required());
        List<String> converters = new ArrayList<>();
        for (CommandLine.ITypeConverter<?> converter : arg.converters()) {
            converters.add(converter.getClass().getName());
        }
        described.put("converters", converters);
        return described;
    }

    // ---------------------------------------------------------------- run time

    /** The model of the whole command line as {@link #describeAll} gives it, read back from the jar; null when absent. */
    static Map<String, Object> load() {
        Map<String, Object> root = part("root");
        if (root == null) {
            return null;
        }
        Map<String, Object> commands = new LinkedHashMap<>();
        for (String name : Corral.SUBCOMMANDS.keySet()) {
            Map<String, Object> command = part(name);
            if (command != null) {
                commands.put(name, command);
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("root", root);
        model.put("commands", commands);
        return model;
    }

    /** One file of the model, or null when this build has none by that name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> part(String name) {
        if (!name.matches("[a-z][a-z-]*")) {
            return null;
        }
        try (InputStream in = CommandModel.class.getResourceAsStream(RESOURCE + name + ".model")) {
            return in == null ? null : (Map<String, Object>) Json.read(in.readAllBytes());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The command line for {@code root} and the one subcommand {@code named}, built without
     * reading any annotation; null when the model does not hold that subcommand.
     */
    @SuppressWarnings("unchecked")
    static CommandLine commandLine(Corral root, String named) {
        Map<String, Object> rootArgs = named.equals("root") ? null : part("root");
        Map<String, Object> command = rootArgs == null ? null : part(named);
        if (command == null) {
            return null;
        }
        try {
            CommandSpec rootSpec = CommandSpec.wrapWithoutInspection(root).name("corral");
            addArgs(rootSpec, root, rootArgs);
            CommandLine commandLine = new CommandLine(rootSpec);
            commandLine.addSubcommand(named, build(command, root, named));
            return commandLine;
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (System.getenv("CORRAL_TRACE") != null) {
                e.printStackTrace();
            }
            return null;   // a model that no longer fits the classes: the annotated path still works
        }
    }

    @SuppressWarnings("unchecked")
    private static CommandLine build(Map<String, Object> command, Object parent, String name) throws ReflectiveOperationException {
        Class<?> type = Class.forName((String) command.get("class"));
        var constructor = type.getDeclaredConstructor();
        constructor.setAccessible(true);
        Object instance = constructor.newInstance();
        for (Object parentField : (List<Object>) command.get("parents")) {
            field((String) parentField).set(instance, parent);
        }
        CommandSpec spec = CommandSpec.wrapWithoutInspection(instance).name(name);
        addArgs(spec, instance, command);
        CommandLine commandLine = new CommandLine(spec);
        for (Map.Entry<String, Object> sub : ((Map<String, Object>) command.get("subcommands")).entrySet()) {
            commandLine.addSubcommand(sub.getKey(), build((Map<String, Object>) sub.getValue(), instance, sub.getKey()));
        }
        return commandLine;
    }

    @SuppressWarnings("unchecked")
    private static void addArgs(CommandSpec spec, Object instance, Map<String, Object> args) throws ReflectiveOperationException {
        for (Object o : (List<Object>) args.get("options")) {
            Map<String, Object> option = (Map<String, Object>) o;
            List<String> names = (List<String>) option.get("names");
            OptionSpec.Builder builder = OptionSpec.builder(names.toArray(new String[0]));
            configure(builder, Arg.of(option, instance));
            if (Boolean.TRUE.equals(option.get("inherit"))) {
                builder.scopeType(CommandLine.ScopeType.INHERIT);
            }
            spec.addOption(builder.build());
        }
        for (Object o : (List<Object>) args.get("positionals")) {
            Map<String, Object> positional = (Map<String, Object>) o;
            PositionalParamSpec.Builder builder = PositionalParamSpec.builder();
            if (positional.get("index") instanceof String index) {
                builder.index(index);
            }
            configure(builder, Arg.of(positional, instance));
            spec.addPositional(builder.build());
        }
    }

    /** What an option and a positional parameter share (picocli's common builder is not public). */
    private record Arg(Class<?> type, Class<?>[] aux, String arity, String label, boolean required,
                       String defaultValue, Object initial, Binding binding, CommandLine.ITypeConverter<?>[] converters) {
        @SuppressWarnings("unchecked")
        static Arg of(Map<String, Object> arg, Object instance) throws ReflectiveOperationException {
            List<String> aux = (List<String>) arg.get("aux");
            Class<?>[] auxTypes = new Class<?>[aux.size()];
            for (int i = 0; i < auxTypes.length; i++) {
                auxTypes[i] = typeNamed(aux.get(i));
            }
            Field field = field((String) arg.get("field"));
            List<String> names = (List<String>) arg.get("converters");
            CommandLine.ITypeConverter<?>[] converters = new CommandLine.ITypeConverter<?>[names.size()];
            for (int i = 0; i < converters.length; i++) {
                var constructor = Class.forName(names.get(i)).getDeclaredConstructor();
                constructor.setAccessible(true);
                converters[i] = (CommandLine.ITypeConverter<?>) constructor.newInstance();
            }
            return new Arg(field.getType(), auxTypes, (String) arg.get("arity"), (String) arg.get("label"),
                    Boolean.TRUE.equals(arg.get("required")), (String) arg.get("default"), field.get(instance),
                    new Binding(instance, field), converters);
        }
    }

    private static void configure(OptionSpec.Builder builder, Arg arg) {
        if (arg.arity() != null) {
            builder.arity(arg.arity());
        }
        if (arg.defaultValue() != null) {
            builder.defaultValue(arg.defaultValue());
        }
        // Like the annotated model: the field's own initial value (an empty list, say) is its default.
        builder.type(arg.type()).auxiliaryTypes(arg.aux()).paramLabel(arg.label()).required(arg.required())
                .getter(arg.binding()).setter(arg.binding()).initialValue(arg.initial()).hasInitialValue(true)
                .converters(arg.converters());
    }

    private static void configure(PositionalParamSpec.Builder builder, Arg arg) {
        if (arg.arity() != null) {
            builder.arity(arg.arity());
        }
        if (arg.defaultValue() != null) {
            builder.defaultValue(arg.defaultValue());
        }
        builder.type(arg.type()).auxiliaryTypes(arg.aux()).paramLabel(arg.label()).required(arg.required())
                .getter(arg.binding()).setter(arg.binding()).initialValue(arg.initial()).hasInitialValue(true)
                .converters(arg.converters());
    }

    private static Class<?> typeNamed(String name) throws ClassNotFoundException {
        switch (name) {
            case "boolean": return boolean.class;
            case "int": return int.class;
            case "long": return long.class;
            case "double": return double.class;
            default: return Class.forName(name);
        }
    }

    private static Field field(String qualified) throws ReflectiveOperationException {
        int hash = qualified.indexOf('#');
        Field field = Class.forName(qualified.substring(0, hash)).getDeclaredField(qualified.substring(hash + 1));
        field.setAccessible(true);
        return field;
    }

    /** A field of one command object, as picocli's own binding for an annotated field. */
    private record Binding(Object instance, Field field) implements IGetter, ISetter {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            try {
                return (T) field.get(instance);
            } catch (IllegalAccessException e) {
                throw new CommandLine.PicocliException("cannot read " + field, e);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T value) {
            try {
                T old = (T) field.get(instance);
                field.set(instance, value);
                return old;
            } catch (IllegalAccessException e) {
                throw new CommandLine.PicocliException("cannot set " + field, e);
            }
        }
    }
}
