package dev.corral.protocol.result;

import java.util.List;

/** {@code profile.list}: the config file read, and every profile. */
public record ProfileList(String config, List<ProfileView> profiles) {}
