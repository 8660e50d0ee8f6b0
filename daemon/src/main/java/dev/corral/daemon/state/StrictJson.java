package dev.corral.daemon.state;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * The mapper that binds JSON to records strictly, for requests and state files alike: an
 * unknown field, a value of another JSON type (no scalar coercion: "yes" is no boolean, "80" no
 * number, 8.0 no int), a null inside a list or map, or trailing content is an error.
 */
public final class StrictJson {
    private StrictJson() {}

    public static ObjectMapper mapper() {
        ObjectMapper mapper = JsonMapper.builder()
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
