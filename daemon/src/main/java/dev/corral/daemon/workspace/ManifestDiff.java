package dev.corral.daemon.workspace;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Files added, modified and removed between two manifests of one workspace, each list sorted. */
public record ManifestDiff(List<String> added, List<String> modified, List<String> removed) {
    /** How many paths of each list a summary keeps; the counts are always whole. */
    static final int LISTED = 20;

    public ManifestDiff {
        added = List.copyOf(added);
        modified = List.copyOf(modified);
        removed = List.copyOf(removed);
    }

    public boolean empty() {
        return added.isEmpty() && modified.isEmpty() && removed.isEmpty();
    }

    /** "3 added, 1 modified, 0 removed" */
    public String counts() {
        return added.size() + " added, " + modified.size() + " modified, " + removed.size() + " removed";
    }

    /** Counts and the first {@link #LISTED} paths of each kind, for summaries. */
    public Map<String, Object> describe() {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("added", added.size());
        object.put("modified", modified.size());
        object.put("removed", removed.size());
        object.put("addedFiles", first(added));
        object.put("modifiedFiles", first(modified));
        object.put("removedFiles", first(removed));
        return object;
    }

    private static List<String> first(List<String> paths) {
        return paths.size() <= LISTED ? paths : paths.subList(0, LISTED);
    }
}
