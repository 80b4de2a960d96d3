namespace Hbac.Cli.Tests;

public class CountedTests
{
    [Theory]
    [InlineData(0, "0 rows")]
    [InlineData(1, "1 row")]
    [InlineData(2, "2 rows")]
    [InlineData(1000, "1000 rows")]
    public void Counts_take_the_singular_only_for_one(long count, string expected) => Assert.Equal(expected, Counted.Of(count, "row"));

    [Fact]
    public void An_irregular_plural_is_given() => Assert.Equal("2 replies", Counted.Of(2, "reply", "replies"));
}
