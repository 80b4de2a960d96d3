// Public for WebApplicationFactory<Program> in the in-process tests.
public partial class Program;
