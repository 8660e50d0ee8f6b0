package dev.corral.daemon.state;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * Mappers that bind JSON (or TOML) to records strictly, for requests, state files and profiles alike: an
 * unknown field, a value of another JSON type (no scalar coercion: "yes" is no boolean, "80" no
 * number, 8.0 no int), a null inside a list or map, or trailing content is an error.
 */
public final class StrictJson {
    private StrictJson() {}

    /** A strict JSON mapper. */
    public static ObjectMapper mapper() {
        return strict(JsonMapper.builder());
    }

    /** {@code builder}'s mapper (JSON, TOML), made strict. */
    public static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M strict(B builder) {
        M mapper = builder
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
                .build();
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean, CoercionInputShape.EmptyString, CoercionInputShape.EmptyArray,
                CoercionInputShape.EmptyObject)) {
            mapper.coercionConfigDefaults().setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }
}
