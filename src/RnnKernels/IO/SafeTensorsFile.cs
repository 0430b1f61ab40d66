using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace RnnKernels.IO;

/// <summary>
/// Reads and writes safetensors files: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw data. Reading trusts nothing in the file; writing is atomic.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Largest header accepted (the format's reference implementation uses the same 100 MB cap).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>Reads every tensor and the string metadata of a file.</summary>
    /// <param name="path">File to read.</param>
    /// <returns>Tensors by name (in file order) and metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file; the message names the file and the tensor.</exception>
    public static (IReadOnlyDictionary<string, SafeTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw Invalid(path, $"{fileLength} bytes is too short for a safetensors file (8-byte header length missing)");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength == 0 || headerLength > (ulong)(fileLength - 8))
        {
            throw Invalid(path, $"header length {headerLength} does not fit in the file ({fileLength} bytes)");
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw Invalid(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        }

        byte[] header = new byte[(int)headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        var entries = ParseHeader(path, header, dataLength, out Dictionary<string, string> metadata);

        var tensors = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach ((string name, SafeTensorsDType dtype, long[] shape, long begin, long end) in entries)
        {
            byte[] data = new byte[end - begin];
            stream.Position = 8 + (long)headerLength + begin;
            stream.ReadExactly(data);
            tensors.Add(name, new SafeTensor(dtype, shape, data));
        }

        return (tensors, metadata);
    }

    /// <summary>
    /// Writes tensors and metadata to <paramref name="path"/> atomically: the bytes go to a temporary file in the same
    /// directory, which replaces the target only once it is complete and flushed, so an interrupted write never
    /// leaves a broken file and never clobbers the previous one.
    /// </summary>
    /// <param name="path">Target file.</param>
    /// <param name="tensors">Tensors in the order to write them.</param>
    /// <param name="metadata">String metadata (may be empty).</param>
    /// <exception cref="ArgumentException">A tensor is named __metadata__.</exception>
    /// <exception cref="IOException">The file could not be written (the previous file, if any, is left as it was).</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, SafeTensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        var list = tensors.ToList();
        byte[] header = BuildHeader(list, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            foreach (KeyValuePair<string, SafeTensor> entry in list)
            {
                stream.Write(entry.Value.Data);
            }
        });
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, SafeTensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (KeyValuePair<string, string> item in metadata)
                {
                    json.WriteString(item.Key, item.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, SafeTensor tensor) in tensors)
            {
                if (name == MetadataKey)
                {
                    throw new ArgumentException($"A tensor may not be called {MetadataKey}.", nameof(tensors));
                }

                json.WriteStartObject(name);
                json.WriteString("dtype", tensor.DType.ToString());
                json.WriteStartArray("shape");
                foreach (long d in tensor.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += tensor.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private static List<(string Name, SafeTensorsDType DType, long[] Shape, long Begin, long End)> ParseHeader(
        string path, byte[] header, long dataLength, out Dictionary<string, string> metadata)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"header is not valid JSON ({e.Message})");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(path, "header is not a JSON object");
            }

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(string, SafeTensorsDType, long[], long, long)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Invalid(path, $"tensor '{property.Name}' appears twice in the header");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }

                entries.Add(ReadEntry(path, property.Name, property.Value, dataLength));
            }

            CheckNoOverlap(path, entries);
            return entries;
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"{MetadataKey} is not an object");
        }

        foreach (JsonProperty item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(path, $"{MetadataKey} entry '{item.Name}' is not a string");
            }

            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static (string, SafeTensorsDType, long[], long, long) ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out JsonElement offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
        {
            throw Invalid(path, $"tensor '{name}' needs a string dtype, a shape array and two data_offsets");
        }

        string dtypeName = dtypeElement.GetString()!;
        if (!Enum.TryParse(dtypeName, ignoreCase: false, out SafeTensorsDType dtype) || !Enum.IsDefined(dtype) || dtypeName != dtype.ToString())
        {
            throw Invalid(path, $"tensor '{name}' has dtype '{dtypeName}'; only F32, F64 and I64 are supported");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0 || size > int.MaxValue)
            {
                throw Invalid(path, $"tensor '{name}' has a dimension that is not a non-negative integer");
            }

            shape[i++] = size;
            // Saturate instead of overflowing: a product this large can never match the byte range below.
            count = size != 0 && count > long.MaxValue / 16 / size ? long.MaxValue / 16 : count * size;
        }

        long[] offsets = new long[2];
        i = 0;
        foreach (JsonElement o in offsetsElement.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out offsets[i++]) || offsets[i - 1] < 0)
            {
                throw Invalid(path, $"tensor '{name}' has data_offsets that are not non-negative integers");
            }
        }

        (long begin, long end) = (offsets[0], offsets[1]);
        if (begin > end || end > dataLength)
        {
            throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] outside the {dataLength} bytes of data");
        }

        if (end - begin != count * SafeTensor.ElementSize(dtype))
        {
            throw Invalid(path, $"tensor '{name}' of shape [{string.Join(", ", shape)}] {dtype} needs {count * SafeTensor.ElementSize(dtype)} bytes, but its data_offsets span {end - begin}");
        }

        return (name, dtype, shape, begin, end);
    }

    private static void CheckNoOverlap(string path, List<(string Name, SafeTensorsDType, long[], long Begin, long End)> entries)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        for (int i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Begin < sorted[i - 1].End)
            {
                throw Invalid(path, $"tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap in the data section");
            }
        }
    }

    private static InvalidDataException Invalid(string path, string what) => new($"{path}: {what}.");
}
