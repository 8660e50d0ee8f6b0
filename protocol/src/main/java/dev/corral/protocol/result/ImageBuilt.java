package dev.corral.protocol.result;

/** {@code image.build}: the image, its id, the recipe it came from, that recipe's hash and what it covers. */
public record ImageBuilt(String image, String id, String recipe, String hash, String covers) {}
