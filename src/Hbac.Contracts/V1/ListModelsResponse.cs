namespace Hbac.Contracts.V1;

public sealed partial class ListModelsResponse
{
    /// <summary>
    /// The precision ("fp32" or "int8") of the file serving <paramref name="version"/>: its active row's, since a
    /// version with an int8 model is listed once per file; empty when the version is not served.
    /// </summary>
    public string ServedPrecision(string version) => Models.FirstOrDefault(m => m.Version == version && m.Active)?.Precision ?? "";
}
